using System.Text.RegularExpressions;

namespace Newsletter.Papers;

/// <summary>Papers are keyed by arXiv id without version, whatever form a source writes it in.</summary>
public static partial class ArxivId
{
    /// <summary>
    /// "2403.12345v2", "arXiv:2403.12345", "http://arxiv.org/abs/2403.12345v1", "/papers/2403.12345" and
    /// "hep-th/9901001v3" all become the bare id. Returns null when nothing id-like is left.
    /// </summary>
    public static string? Normalize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }
        var id = raw.Trim();
        var query = id.IndexOfAny(['?', '#']);
        if (query >= 0)
        {
            id = id[..query];
        }
        var marker = UrlPrefix().Match(id);
        if (marker.Success)
        {
            id = id[(marker.Index + marker.Length)..];
        }
        if (id.StartsWith("arxiv:", StringComparison.OrdinalIgnoreCase))
        {
            id = id["arxiv:".Length..];
        }
        if (id.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase))
        {
            id = id[..^4];
        }
        id = Version().Replace(id.Trim('/'), "");
        return id.Length == 0 ? null : id;
    }

    /// <summary>
    /// The arXiv id in <paramref name="raw"/> (as <see cref="Normalize"/> gives it) when it has the shape of one
    /// ("2403.12345", "hep-th/9901001"), else null: an Atom or RSS listing of anything but papers has no such ids.
    /// </summary>
    public static string? Parse(string? raw)
    {
        var id = Normalize(raw?.Replace("oai:arXiv.org:", "", StringComparison.OrdinalIgnoreCase));
        return id is not null && Shape().IsMatch(id) ? id : null;
    }

    [GeneratedRegex(@"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})$")]
    private static partial Regex Shape();

    [GeneratedRegex(@"(^|/)(abs|pdf|papers)/", RegexOptions.IgnoreCase)]
    private static partial Regex UrlPrefix();

    [GeneratedRegex(@"v\d+$")]
    private static partial Regex Version();
}
