using System.Globalization;
using System.Text.Json;

namespace Newsletter.Papers;

/// <summary>How a papers-table row becomes a <see cref="Paper"/>, wherever it is read.</summary>
public static class PaperRow
{
    public static Paper ToPaper(string id, string title, string summary, long upvotes, string? publishedAt, string authorsJson, string? organization, string? categoriesJson = null) =>
        new(id, title, summary, (int)upvotes,
            publishedAt is null ? null : DateTimeOffset.Parse(publishedAt, CultureInfo.InvariantCulture),
            JsonSerializer.Deserialize<List<string>>(authorsJson) ?? [],
            organization)
        {
            Categories = categoriesJson is null ? [] : JsonSerializer.Deserialize<List<string>>(categoriesJson) ?? [],
        };
}
