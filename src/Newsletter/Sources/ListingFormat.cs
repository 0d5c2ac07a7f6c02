namespace Newsletter.Sources;

public enum ListingFormat
{
    Auto,
    HfJson,
    HfHtml,
    ArxivAtom,
}

public static class ListingFormats
{
    public static string Name(this ListingFormat format) => format switch
    {
        ListingFormat.HfJson => "hf-json",
        ListingFormat.HfHtml => "hf-html",
        ListingFormat.ArxivAtom => "arxiv-atom",
        _ => "auto",
    };

    public static readonly string[] Names = ["auto", "hf-json", "hf-html", "arxiv-atom"];

    public static ListingFormat Parse(string name) => name.ToLowerInvariant() switch
    {
        "auto" => ListingFormat.Auto,
        "hf-json" => ListingFormat.HfJson,
        "hf-html" => ListingFormat.HfHtml,
        "arxiv-atom" => ListingFormat.ArxivAtom,
        _ => throw new ArgumentException($"unknown format '{name}'; use one of: {string.Join(", ", Names)}"),
    };

    /// <summary>Tells the format from the content itself, never from a file name.</summary>
    public static ListingFormat Detect(string content, string source)
    {
        var text = content.AsSpan().TrimStart("\uFEFF \t\r\n");
        if (text.IsEmpty)
        {
            throw new ListingException($"{source} is empty: there is no listing to read.");
        }
        if (text[0] is '[' or '{')
        {
            return ListingFormat.HfJson;
        }
        if (text[0] == '<')
        {
            var head = text[..Math.Min(text.Length, 4096)];
            if (head.Contains("<feed", StringComparison.OrdinalIgnoreCase))
            {
                return ListingFormat.ArxivAtom;
            }
            if (head.Contains("<rss", StringComparison.OrdinalIgnoreCase))
            {
                throw new ListingException($"{source} is an RSS feed, which is not read yet; use the arXiv Atom API (export.arxiv.org/api/query) or the daily-papers JSON or HTML.");
            }
            return ListingFormat.HfHtml;
        }
        var start = text[..Math.Min(text.Length, 40)].ToString().ReplaceLineEndings(" ");
        throw new ListingException($"could not tell the format of {source}: it is neither JSON, HTML nor an Atom feed (it starts with \"{start}\").");
    }
}
