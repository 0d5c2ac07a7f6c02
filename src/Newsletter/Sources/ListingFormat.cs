namespace Newsletter.Sources;

public enum ListingFormat
{
    Auto,
    HfJson,
    HfHtml,
    ArxivAtom,
    Rss,
}

public static class ListingFormats
{
    public static string Name(this ListingFormat format) => format switch
    {
        ListingFormat.HfJson => "hf-json",
        ListingFormat.HfHtml => "hf-html",
        ListingFormat.ArxivAtom => "arxiv-atom",
        ListingFormat.Rss => "rss",
        _ => "auto",
    };

    public static readonly string[] Names = ["auto", "hf-json", "hf-html", "arxiv-atom", "rss"];

    public static ListingFormat Parse(string name) => name.ToLowerInvariant() switch
    {
        "auto" => ListingFormat.Auto,
        "hf-json" => ListingFormat.HfJson,
        "hf-html" => ListingFormat.HfHtml,
        "arxiv-atom" => ListingFormat.ArxivAtom,
        "rss" => ListingFormat.Rss,
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
            // the root element decides: an RSS feed may carry atom:link, an Atom feed may mention <rss in its text
            var atom = head.IndexOf("<feed", StringComparison.OrdinalIgnoreCase);
            var rss = head.IndexOf("<rss", StringComparison.OrdinalIgnoreCase);
            if (rss >= 0 && (atom < 0 || rss < atom))
            {
                return ListingFormat.Rss;
            }
            if (atom >= 0)
            {
                return ListingFormat.ArxivAtom;
            }
            return ListingFormat.HfHtml;
        }
        var start = text[..Math.Min(text.Length, 40)].ToString().ReplaceLineEndings(" ");
        throw new ListingException($"could not tell the format of {source}: it is neither JSON, HTML, an Atom nor an RSS feed (it starts with \"{start}\").");
    }
}
