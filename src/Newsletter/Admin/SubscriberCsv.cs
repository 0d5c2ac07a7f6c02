using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Newsletter.Matching;
using Newsletter.Subscribers;

namespace Newsletter.Admin;

/// <summary>
/// Subscribers as CSV (RFC 4180, a header line, one row a subscriber): what export writes, import reads back.
/// Keywords and exclusions are joined with <see cref="ListSeparator"/> in one field each.
/// </summary>
public static class SubscriberCsv
{
    public const string ListSeparator = " | ";

    public static readonly string[] Columns =
        ["email", "name", "status", "keywords", "exclusions", "maxPapers", "minScore", "sendHour", "timeZone", "createdAt",
            "delivery",
            "frequency", "weekday",
            "focus"];

    private static readonly string[] Required = ["email", "keywords"];

    public static async Task WriteAsync(TextWriter output, IEnumerable<(Subscriber Subscriber, StoredProfile? Profile)> rows, CancellationToken cancellationToken)
    {
        await using var csv = new CsvWriter(output, CultureInfo.InvariantCulture, leaveOpen: true);
        foreach (var column in Columns)
        {
            csv.WriteField(column);
        }
        await csv.NextRecordAsync();
        foreach (var (s, p) in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            csv.WriteField(s.Email);
            csv.WriteField(s.Name ?? "");
            csv.WriteField(s.Status);
            csv.WriteField(string.Join(ListSeparator, p?.Keywords ?? []));
            csv.WriteField(string.Join(ListSeparator, p?.Exclusions ?? []));
            csv.WriteField(p?.MaxPapers.ToString(CultureInfo.InvariantCulture) ?? "");
            csv.WriteField(p?.MinScore?.ToString("R", CultureInfo.InvariantCulture) ?? "");
            csv.WriteField(s.SendHour.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(s.TimeZone);
            csv.WriteField(s.CreatedAt);
            csv.WriteField(s.Delivery);
            csv.WriteField(s.Frequency);
            csv.WriteField(s.Weekday);
            csv.WriteField(p?.Focus.Name() ?? "");
            await csv.NextRecordAsync();
        }
        await csv.FlushAsync();
    }

    /// <summary>Reads the rows; a field that is not a number where one is wanted is an error for its line, not a failed file.</summary>
    /// <exception cref="CsvFormatException">The file as a whole cannot be read (no header, a required column missing, broken quoting).</exception>
    public static async Task<(List<ImportRow> Rows, List<ImportError> Errors)> ReadAsync(TextReader input, CancellationToken cancellationToken)
    {
        var rows = new List<ImportRow>();
        var errors = new List<ImportError>();
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            MissingFieldFound = null,
            BadDataFound = args => throw new CsvFormatException($"line {args.Context.Parser?.RawRow}: a field's quotes are broken ({args.Field})"),
            DetectDelimiter = false,
        };
        using var csv = new CsvReader(input, config);
        if (!await csv.ReadAsync() || !csv.ReadHeader() || csv.HeaderRecord is not { } header)
        {
            throw new CsvFormatException("the file is empty: the first line must name the columns (" + string.Join(",", Columns) + ")");
        }
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Length; i++)
        {
            index.TryAdd(header[i].Trim(), i);
        }
        if (Required.FirstOrDefault(r => !index.ContainsKey(r)) is { } missing)
        {
            throw new CsvFormatException($"the header has no '{missing}' column (the columns are {string.Join(",", Columns)}; email and keywords are required)");
        }
        while (await csv.ReadAsync())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var line = csv.Parser.RawRow;
            string? Text(string column) =>
                index.TryGetValue(column, out var at) && at < csv.Parser.Count && csv.GetField(at) is { Length: > 0 } value ? value.Trim() : null;
            var problem = (ImportError?)null;
            T? Number<T>(string column, string kind) where T : struct, IParsable<T>
            {
                if (Text(column) is not { } text)
                {
                    return null;
                }
                if (T.TryParse(text, CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }
                problem ??= new ImportError(line, column, $"'{text}' is not {kind}");
                return null;
            }
            var maxPapers = Number<int>("maxPapers", "a whole number");
            var minScore = Number<double>("minScore", "a number");
            var sendHour = Number<int>("sendHour", "a whole number from 0 to 23");
            var focus = Focus(Text("focus"), line, ref problem);
            if (problem is not null)
            {
                errors.Add(problem);
                continue;
            }
            rows.Add(new ImportRow(line, Text("email") ?? "", Text("name"), Text("status"), List(Text("keywords")), List(Text("exclusions")),
                maxPapers, minScore, sendHour, Text("timeZone"), Text("createdAt"))
            {
                Delivery = Text("delivery"),
                Frequency = Text("frequency"),
                Weekday = Text("weekday"),
                Focus = focus,
            });
        }
        return (rows, errors);
    }

    /// <summary>The focus column: empty or absent is null (broad), anything but broad or focused a problem for its line.</summary>
    private static ProfileFocus? Focus(string? text, int line, ref ImportError? problem)
    {
        if (text is null)
        {
            return null;
        }
        if (ProfileFocusNames.TryParse(text, out var focus))
        {
            return focus;
        }
        problem ??= new ImportError(line, "focus", ProfileFocusNames.Invalid(text));
        return null;
    }

    private static List<string> List(string? joined) =>
        joined is null ? [] : [.. joined.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
}

/// <summary>The CSV as a whole cannot be read; the message says where and why.</summary>
public sealed class CsvFormatException(string message) : Exception(message);
