using System.Globalization;
using Newsletter.Matching;
using Newsletter.Subscribers;

namespace Newsletter.Web.Pages;

/// <summary>The fields of the subscribe and preferences forms, as posted (all text, so bad numbers get a message, not a 400).</summary>
public sealed class ProfileForm
{
    public string? Token { get; set; }
    public string? Email { get; set; }
    public string? Name { get; set; }
    public string? Keywords { get; set; }
    public string? Exclude { get; set; }
    public string? SendHour { get; set; }
    public string? TimeZone { get; set; }
    public string? MaxPapers { get; set; }
    public string? Paused { get; set; }
    public string? Action { get; set; }

    public static IReadOnlyList<string> Lines(string? text) =>
        [.. (text ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];

    public static ProfileForm From(Subscriber s, StoredProfile? p) => new()
    {
        Email = s.Email,
        Name = s.Name,
        Keywords = string.Join("\n", p?.Keywords ?? []),
        Exclude = string.Join("\n", p?.Exclusions ?? []),
        SendHour = s.SendHour.ToString(CultureInfo.InvariantCulture),
        TimeZone = s.TimeZone,
        MaxPapers = (p?.MaxPapers ?? Profile.DefaultMaxPapers).ToString(CultureInfo.InvariantCulture),
        Paused = s.PausedAt is null ? null : "on",
    };

    /// <summary>The posted settings, or the problems with them by field name (keywords are checked by the caller's save).</summary>
    public (SubscriptionSettings? Settings, Dictionary<string, string> Errors) Read()
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        int? sendHour = null, maxPapers = null;
        if (!string.IsNullOrWhiteSpace(SendHour))
        {
            if (int.TryParse(SendHour, NumberStyles.None, CultureInfo.InvariantCulture, out var hour))
            {
                sendHour = hour;
            }
            else
            {
                errors["sendHour"] = "Choose an hour between 0 and 23.";
            }
        }
        if (!string.IsNullOrWhiteSpace(MaxPapers))
        {
            if (int.TryParse(MaxPapers.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var max))
            {
                maxPapers = max;
            }
            else
            {
                errors["maxPapers"] = $"Enter a whole number between 1 and {Profile.MaxMaxPapers}.";
            }
        }
        var keywords = Lines(Keywords);
        if (keywords.Count == 0)
        {
            errors["keywords"] = "Enter at least one keyword, one per line.";
        }
        return errors.Count > 0 ? (null, errors) : (new SubscriptionSettings(Name, keywords, Lines(Exclude), maxPapers, null, sendHour, TimeZone), errors);
    }

    /// <summary>Where a rejected save goes on the form, in words a subscriber understands.</summary>
    public static (string Field, string Message) ErrorOf(Exception e) => e switch
    {
        ProfileValidationException p when p.Index > 0 => (p.Kind == "exclusion" ? "exclude" : "keywords",
            $"Line {p.Index}: {p.Reason}{(p.Column is { } c ? $" (at column {c})" : "")} in “{p.Keyword}”."),
        ProfileValidationException p => (p.Kind == "exclusion" ? "exclude" : "keywords", Capitalised(p.Reason) + "."),
        SubscriptionException s => (s.Field is "" ? "email" : s.Field, Capitalised(s.Message) + "."),
        _ => throw e,
    };

    private static string Capitalised(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
