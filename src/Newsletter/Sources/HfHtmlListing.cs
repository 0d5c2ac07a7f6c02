using System.Globalization;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Newsletter.Papers;

namespace Newsletter.Sources;

/// <summary>
/// Reads a daily-papers HTML page: the list embedded as JSON in the <c>SVELTE_HYDRATER</c> element's
/// <c>data-props</c>, or, when that is missing or changed, the <c>article h3 &gt; a[href^="/papers/"]</c> cards
/// (titles and ids only). A page with neither fails loudly instead of passing for an empty day.
/// </summary>
public static class HfHtmlListing
{
    private static readonly HtmlParser Parser = new(new HtmlParserOptions { IsScripting = false });

    public static ParsedListing Parse(string html, string source)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            throw new ListingException($"{source} is empty: there is no listing to read.");
        }
        using var document = Parser.ParseDocument(html);
        var warnings = new List<string>();
        var hydrater = document.QuerySelector("div.SVELTE_HYDRATER[data-target='DailyPapers'][data-props]")
            ?? document.QuerySelectorAll(".SVELTE_HYDRATER[data-props]").FirstOrDefault(e => e.GetAttribute("data-props")!.Contains("\"dailyPapers\"", StringComparison.Ordinal));
        if (hydrater is not null)
        {
            var embedded = TryEmbedded(hydrater.GetAttribute("data-props")!, source, out var problem);
            if (embedded is not null)
            {
                return embedded;
            }
            warnings.Add($"the embedded daily-papers JSON in {source} could not be used ({problem}); reading the paper cards instead.");
        }
        var cards = ReadCards(document, warnings);
        if (cards.Count == 0)
        {
            throw new ListingException(hydrater is null
                ? $"no daily-papers list found in {source}: neither the embedded JSON nor paper cards were present."
                : $"no daily-papers list found in {source}: the embedded JSON was unusable ({warnings[0]}) and no paper cards were present.");
        }
        return new ParsedListing(ListingFormat.HfHtml, DateFromTitle(document), cards, warnings);
    }

    private static ParsedListing? TryEmbedded(string props, string source, out string problem)
    {
        try
        {
            using var json = JsonDocument.Parse(props);
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty("dailyPapers", out var list)
                || list.ValueKind != JsonValueKind.Array)
            {
                problem = "it has no \"dailyPapers\" array";
                return null;
            }
            var date = json.RootElement.TryGetProperty("dateString", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            var listing = HfJsonListing.ReadPapers(list, source, "dailyPapers", date);
            problem = "";
            return listing with { Format = ListingFormat.HfHtml };
        }
        catch (JsonException e)
        {
            problem = $"malformed JSON: {e.Message.Split(" Path:")[0]}";
            return null;
        }
        catch (ListingException e)
        {
            problem = e.Message;
            return null;
        }
    }

    private static List<Paper> ReadCards(IDocument document, List<string> warnings)
    {
        var papers = new List<Paper>();
        foreach (var link in document.QuerySelectorAll("article h3 > a[href^='/papers/']"))
        {
            var href = link.GetAttribute("href")!;
            var id = ArxivId.Normalize(href);
            var title = HfJsonListing.Collapse(link.TextContent);
            if (id is null || title.Length == 0)
            {
                warnings.Add($"skipped a paper card ({href}): it has no {(id is null ? "paper id" : "title")}.");
                continue;
            }
            papers.Add(new Paper(id, title, "", CardUpvotes(link.Closest("article")), null, [], null));
        }
        return papers;
    }

    private static int CardUpvotes(IElement? article)
    {
        var counter = article?.QuerySelectorAll(".leading-none")
            .Select(e => e.TextContent.Trim())
            .FirstOrDefault(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out _));
        return counter is null ? 0 : int.Parse(counter, CultureInfo.InvariantCulture);
    }

    private static DateOnly? DateFromTitle(IDocument document)
    {
        var title = document.Title ?? "";
        var match = System.Text.RegularExpressions.Regex.Match(title, @"\d{4}-\d{2}-\d{2}");
        return match.Success && DateOnly.TryParseExact(match.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
    }
}
