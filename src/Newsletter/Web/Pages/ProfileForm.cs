using System.Globalization;
using Newsletter.Matching;
using Newsletter.Subscribers;

namespace Newsletter.Web.Pages;

/// <summary>The fields of the subscribe and preferences forms, as posted (all text, so bad numbers get a message, not a 400).</summary>
public sealed class ProfileForm
{
    public const int MaxNameLength = 200;
    public const int MaxKeywordsLength = 4_000;
    public const int MaxKeywordLength = 200;
    private const int MaxTimeZoneLength = 100; // the longest IANA name is about 30

    public string? Token { get; set; }
    public string? Email { get; set; }
    public string? Name { get; set; }
    public string? Keywords { get; set; }
    public string? Exclude { get; set; }
    public string? SendHour { get; set; }
    public string? TimeZone { get; set; }
    public string? MaxPapers { get; set; }
    public string? Paused { get; set; }

    /// <summary>email or feed (<see cref="DeliveryMode"/>); checked by the save, which names the field when it is neither.</summary>
    public string? Delivery { get; set; }

    public string? Focus { get; set; }
    public string? Action { get; set; }
    public string? Frequency { get; set; }
    public string? Weekday { get; set; }

    /// <summary>A "Papers per email" value as typed, when it is one the form would take; null otherwise.</summary>
    public static int? PapersPerEmail(string? text) =>
        int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max is >= 1 and <= Profile.MaxMaxPapers ? max : null;

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
        Delivery = s.Delivery,
        Frequency = s.Frequency,
        Weekday = s.Weekday,
        Focus = (p?.Focus ?? ProfileFocus.Broad).Name(),
    };

    /// <summary>
    /// Whether a live preview must read the saved profile: only for what the request leaves out (or gives as the form
    /// would refuse). The preview is asked at every pause in typing, with both fields in the form.
    /// </summary>
    public static bool NeedsSaved(string? maxPapers, string? focus) => PapersPerEmail(maxPapers) is null || !ProfileFocusNames.TryParse(focus, out _);

    /// <summary>The focus a form or a preview request names; without one (or with one the save would refuse), the saved focus.</summary>
    public static ProfileFocus FocusOf(string? text, ProfileFocus? saved) =>
        ProfileFocusNames.TryParse(text, out var focus) ? focus : saved ?? ProfileFocus.Broad;

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
        ProfileFocus? focus = null;
        if (!string.IsNullOrWhiteSpace(Focus))
        {
            if (ProfileFocusNames.TryParse(Focus, out var chosen))
            {
                focus = chosen;
            }
            else
            {
                errors["focus"] = $"Choose {ProfileFocusNames.Broad} or {ProfileFocusNames.Focused}.";
            }
        }
        var keywords = Lines(Keywords);
        if (keywords.Count == 0)
        {
            errors["keywords"] = "Enter at least one keyword, one per line.";
        }
        CheckText(errors, "email", "email address", Email, EmailAddress.MaxLength);
        CheckText(errors, "name", "name", Name, MaxNameLength);
        CheckText(errors, "timeZone", "time zone", TimeZone, MaxTimeZoneLength);
        CheckKeywords(errors, "keywords", "keywords", Keywords);
        CheckKeywords(errors, "exclude", "exclusions", Exclude);
        if (DigestFrequency.Parse(Frequency, Weekday).Problem is { } frequencyProblem)
        {
            errors[frequencyProblem.Field] = Capitalised(frequencyProblem.Message) + ".";
        }
        return errors.Count > 0 ? (null, errors) : (new SubscriptionSettings(Name, keywords, Lines(Exclude), maxPapers, null, sendHour, TimeZone)
            { Frequency = Frequency, Weekday = Weekday, Focus = focus }, errors);
    }

    /// <summary>
    /// Limits typed text to what a profile can use, and refuses control characters (a null byte would be cut or
    /// refused by the database, and no keyword or name has one), naming the field, before anything is parsed.
    /// </summary>
    private static void CheckText(Dictionary<string, string> errors, string field, string label, string? text, int maxLength)
    {
        if (text is null || errors.ContainsKey(field))
        {
            return;
        }
        if (text.Any(char.IsControl))
        {
            errors[field] = $"The {label} contains invalid characters (a null or other control character): remove them.";
        }
        else if (text.Trim().Length > maxLength)
        {
            errors[field] = string.Create(CultureInfo.InvariantCulture, $"The {label} can be at most {maxLength:N0} characters (this one has {text.Trim().Length:N0}).");
        }
    }

    /// <summary>Line numbers as in the parser's messages: among the keywords, blank lines left out.</summary>
    private static void CheckKeywords(Dictionary<string, string> errors, string field, string label, string? text)
    {
        if (text is null)
        {
            return;
        }
        var lines = Lines(text);
        var length = text.Replace("\r\n", "\n", StringComparison.Ordinal).Length; // browsers post a line break as CR LF and count it as one
        if (text.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
        {
            var line = lines.ToList().FindIndex(l => l.Any(c => char.IsControl(c) && c is not '\t')) + 1;
            errors[field] = $"Line {line}: the {label} contain invalid characters (a null or other control character): remove them.";
        }
        else if (length > MaxKeywordsLength)
        {
            errors[field] = string.Create(CultureInfo.InvariantCulture, $"The {label} can be at most {MaxKeywordsLength:N0} characters in all (there are {length:N0}).");
        }
        else if (lines.ToList().FindIndex(l => l.Length > MaxKeywordLength) is var at and >= 0)
        {
            errors[field] = $"Line {at + 1}: a keyword can be at most {MaxKeywordLength} characters (this one has {lines[at].Length}).";
        }
        else if (lines.Count > Profile.MaxKeywords)
        {
            errors[field] = $"Enter at most {Profile.MaxKeywords} {label}, one per line (there are {lines.Count}).";
        }
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
