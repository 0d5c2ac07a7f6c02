using Microsoft.Extensions.Options;

namespace Newsletter.Admin;

public sealed class AdminOptions
{
    public const string Section = "Admin";
    public const int MinKeyLength = 24;
    public const int MinSessionMinutes = 5;
    public const int MaxSessionMinutes = 24 * 60;

    /// <summary>
    /// Keys accepted as <c>Authorization: Bearer &lt;key&gt;</c> on /admin/api and at the console's sign-in, with the
    /// admin role (every read and every change). Several at once, so a key can be rotated without downtime: add the
    /// new one, move the scripts, remove the old one. Empty: the admin API refuses everyone.
    /// </summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Keys with the viewer role: they read everything, through the API or the console, and change nothing.</summary>
    public List<string> ViewerKeys { get; set; } = [];

    /// <summary>How long a console session lasts without a request; every request starts the time again.</summary>
    public int SessionMinutes { get; set; } = 30;

    /// <summary>Wrong keys one client address may try at the console's sign-in per minute before it is refused (429) for the rest of the minute.</summary>
    public int SignInFailuresPerMinute { get; set; } = 5;
}

public sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions o)
    {
        var failures = new List<string>();
        CheckKeys(failures, nameof(AdminOptions.ApiKeys), o.ApiKeys);
        CheckKeys(failures, nameof(AdminOptions.ViewerKeys), o.ViewerKeys);
        if (o.ApiKeys.Intersect(o.ViewerKeys, StringComparer.Ordinal).Any())
        {
            failures.Add($"{AdminOptions.Section}:ViewerKeys: a key is listed both there and in {AdminOptions.Section}:ApiKeys; give each key one role.");
        }
        if (o.SessionMinutes is < AdminOptions.MinSessionMinutes or > AdminOptions.MaxSessionMinutes)
        {
            failures.Add($"{AdminOptions.Section}:SessionMinutes must be between {AdminOptions.MinSessionMinutes} and {AdminOptions.MaxSessionMinutes} (was {o.SessionMinutes}).");
        }
        if (o.SignInFailuresPerMinute is < 1 or > 1000)
        {
            failures.Add($"{AdminOptions.Section}:SignInFailuresPerMinute must be between 1 and 1000 (was {o.SignInFailuresPerMinute}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckKeys(List<string> failures, string setting, List<string> keys)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i] ?? "";
            if (key.Length < AdminOptions.MinKeyLength)
            {
                failures.Add($"{AdminOptions.Section}:{setting}:{i}: an API key must be at least {AdminOptions.MinKeyLength} characters (was {key.Length}); generate one with `openssl rand -base64 32`.");
            }
            else if (key.Any(char.IsWhiteSpace))
            {
                failures.Add($"{AdminOptions.Section}:{setting}:{i}: an API key must not contain spaces.");
            }
        }
        if (keys.Distinct(StringComparer.Ordinal).Count() != keys.Count)
        {
            failures.Add($"{AdminOptions.Section}:{setting}: the same key is listed twice.");
        }
    }
}
