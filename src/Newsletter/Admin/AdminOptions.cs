using Microsoft.Extensions.Options;

namespace Newsletter.Admin;

public sealed class AdminOptions
{
    public const string Section = "Admin";
    public const int MinKeyLength = 24;

    /// <summary>
    /// Keys accepted as <c>Authorization: Bearer &lt;key&gt;</c> on /admin/api. Several at once, so a key can be
    /// rotated without downtime: add the new one, move the scripts, remove the old one. Empty: the admin API refuses everyone.
    /// </summary>
    public List<string> ApiKeys { get; set; } = [];
}

public sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions o)
    {
        var failures = new List<string>();
        for (var i = 0; i < o.ApiKeys.Count; i++)
        {
            var key = o.ApiKeys[i] ?? "";
            if (key.Length < AdminOptions.MinKeyLength)
            {
                failures.Add($"{AdminOptions.Section}:ApiKeys:{i}: an API key must be at least {AdminOptions.MinKeyLength} characters (was {key.Length}); generate one with `openssl rand -base64 32`.");
            }
            else if (key.Any(char.IsWhiteSpace))
            {
                failures.Add($"{AdminOptions.Section}:ApiKeys:{i}: an API key must not contain spaces.");
            }
        }
        if (o.ApiKeys.Distinct(StringComparer.Ordinal).Count() != o.ApiKeys.Count)
        {
            failures.Add($"{AdminOptions.Section}:ApiKeys: the same key is listed twice.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
