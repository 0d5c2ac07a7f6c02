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

    [GeneratedRegex(@"(^|/)(abs|pdf|papers)/", RegexOptions.IgnoreCase)]
    private static partial Regex UrlPrefix();

    [GeneratedRegex(@"v\d+$")]
    private static partial Regex Version();
}
