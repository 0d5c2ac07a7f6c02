using System.Globalization;
using System.Text.Json;
using Newsletter.Papers;

namespace Newsletter.Sources;

/// <summary>
/// Reads the Hugging Face daily-papers JSON (an array of <c>{paper:{id,title,summary,upvotes,…}, …}</c>), as the
/// API serves it and as the HTML page embeds it. Wrong shapes fail naming the first bad element; a paper
/// without id or title is skipped with a warning naming it.
/// </summary>
public static class HfJsonListing
{
    public static ParsedListing Parse(string json, string source)
    {
        using var document = ParseDocument(json, source);
        var root = document.RootElement;
        switch (root.ValueKind)
        {
            case JsonValueKind.Array:
                return ReadPapers(root, source, "", dateString: null);
            case JsonValueKind.Object when root.TryGetProperty("dailyPapers", out var list) && list.ValueKind == JsonValueKind.Array:
                return ReadPapers(list, source, "dailyPapers", DateString(root));
            case JsonValueKind.Object:
                var keys = string.Join(", ", root.EnumerateObject().Select(p => p.Name).Take(5));
                var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? $": \"{e.GetString()}\"" : "";
                throw new ListingException($"{source} is a JSON object (keys: {keys}){error}, not a daily-papers list: expected an array of {{\"paper\": {{…}}}} elements.");
            default:
                throw new ListingException($"{source} holds a JSON {Kind(root)}, not a daily-papers list: expected an array of {{\"paper\": {{…}}}} elements.");
        }
    }

    internal static JsonDocument ParseDocument(string json, string source)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new ListingException($"{source} is empty: there is no listing to read.");
        }
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : "";
            throw new ListingException($"{source} is not valid JSON{where}: {FirstSentence(e.Message)}", e);
        }
    }

    internal static ParsedListing ReadPapers(JsonElement array, string source, string path, string? dateString)
    {
        var papers = new List<Paper>(array.GetArrayLength());
        var warnings = new List<string>();
        var days = new Dictionary<DateOnly, int>();
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            var where = $"{path}[{index}]";
            var paper = ReadPaper(element, where, source, warnings, days);
            if (paper is not null)
            {
                papers.Add(paper);
            }
            index++;
        }
        DateOnly? date = DateOnly.TryParseExact(dateString, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : days.Count > 0 ? days.MaxBy(kv => kv.Value).Key : null;
        return new ParsedListing(ListingFormat.HfJson, date, papers, warnings);
    }

    private static Paper? ReadPaper(JsonElement element, string where, string source, List<string> warnings, Dictionary<DateOnly, int> days)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ListingException($"{source}: element {where} is a JSON {Kind(element)}, expected an object with a \"paper\" object.");
        }
        if (!element.TryGetProperty("paper", out var paper) || paper.ValueKind != JsonValueKind.Object)
        {
            var found = element.TryGetProperty("paper", out var p) ? $"a JSON {Kind(p)}" : "nothing";
            throw new ListingException($"{source}: element {where} has {found} under \"paper\", expected an object with id and title.");
        }
        var rawId = OptionalString(paper, "id", where, source);
        var title = Collapse(OptionalString(paper, "title", where, source) ?? OptionalString(element, "title", where, source));
        var id = ArxivId.Normalize(rawId);
        if (id is null)
        {
            warnings.Add($"skipped element {where}{(title.Length > 0 ? $" (\"{Shorten(title)}\")" : "")}: it has no paper id.");
            return null;
        }
        if (title.Length == 0)
        {
            warnings.Add($"skipped paper {id} (element {where}): it has no title.");
            return null;
        }
        var summary = (OptionalString(paper, "summary", where, source) ?? OptionalString(element, "summary", where, source) ?? "").Trim();
        var upvotes = OptionalInt(paper, "upvotes", where, source);
        var publishedAt = OptionalDate(paper, "publishedAt", where, source, id, warnings)
            ?? OptionalDate(element, "publishedAt", where, source, id, warnings);
        if (OptionalDate(paper, "submittedOnDailyAt", where, source, id, warnings) is { } listed)
        {
            var day = DateOnly.FromDateTime(listed.UtcDateTime);
            days[day] = days.GetValueOrDefault(day) + 1;
        }
        return new Paper(id, title, summary, upvotes, publishedAt, Authors(paper), Organization(paper) ?? Organization(element));
    }

    private static string? OptionalString(JsonElement obj, string name, string where, string source)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new ListingException($"{source}: element {where} has a JSON {Kind(value)} for \"{name}\", expected a string.");
    }

    private static int OptionalInt(JsonElement obj, string name, string where, string source)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return 0;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n)
            ? n
            : throw new ListingException($"{source}: element {where} has {value.GetRawText()} for \"{name}\", expected a whole number.");
    }

    private static DateTimeOffset? OptionalDate(JsonElement obj, string name, string where, string source, string id, List<string> warnings)
    {
        var text = OptionalString(obj, name, where, source);
        if (text is null)
        {
            return null;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
        {
            return date;
        }
        warnings.Add($"paper {id} (element {where}): \"{name}\" is not a date (\"{Shorten(text)}\"); left empty.");
        return null;
    }

    private static List<string> Authors(JsonElement paper)
    {
        if (!paper.TryGetProperty("authors", out var authors) || authors.ValueKind != JsonValueKind.Array)
        {
            return [];
        }
        var names = new List<string>();
        foreach (var author in authors.EnumerateArray())
        {
            var name = author.ValueKind switch
            {
                JsonValueKind.String => author.GetString(),
                JsonValueKind.Object when author.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String => n.GetString(),
                _ => null,
            };
            if (!string.IsNullOrWhiteSpace(name))
            {
                names.Add(name.Trim());
            }
        }
        return names;
    }

    private static string? Organization(JsonElement obj)
    {
        if (!obj.TryGetProperty("organization", out var org))
        {
            return null;
        }
        return org.ValueKind switch
        {
            JsonValueKind.String => org.GetString(),
            JsonValueKind.Object => (org.TryGetProperty("fullname", out var full) && full.ValueKind == JsonValueKind.String ? full.GetString() : null)
                ?? (org.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null),
            _ => null,
        };
    }

    private static string? DateString(JsonElement root) =>
        root.TryGetProperty("dateString", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;

    internal static string Collapse(string? text) =>
        string.IsNullOrWhiteSpace(text) ? "" : string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    internal static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "…";

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
