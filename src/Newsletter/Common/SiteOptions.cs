using Microsoft.Extensions.Options;

namespace Newsletter.Common;

public sealed class SiteOptions
{
    public const string Section = "Site";

    /// <summary>Public address of the web pages; links in every email start with it.</summary>
    public string BaseUrl { get; set; } = "http://localhost:5080";

    /// <summary>Shown in emails and pages.</summary>
    public string Name { get; set; } = "Newsletter";

    /// <summary>
    /// Key for HMAC-signed links (confirm, preferences, unsubscribe), at least 32 characters. Empty: a key is
    /// generated once into data/signing.key (fine for one machine; several nodes must share one configured key).
    /// </summary>
    public string SigningKey { get; set; } = "";

    /// <summary>Where a paper's title links; {id} becomes the arXiv id.</summary>
    public string PaperUrl { get; set; } = "https://huggingface.co/papers/{id}";

    /// <summary>The mailto address in List-Unsubscribe; empty: the sender address.</summary>
    public string UnsubscribeMailbox { get; set; } = "";

    /// <summary>Days a confirmation link stays valid.</summary>
    public int ConfirmLinkDays { get; set; } = 7;

    /// <summary>Days preferences and unsubscribe links in a digest stay valid.</summary>
    public int ManageLinkDays { get; set; } = 90;

    /// <summary>Subscribe form posts allowed per client address per minute (0: no limit).</summary>
    public int SubscribeRequestsPerMinute { get; set; } = 10;

    /// <summary>At most one confirmation email per address in this many minutes, however often it is asked for (0: no limit).</summary>
    public int ConfirmResendMinutes { get; set; } = 10;
}

public sealed class SiteOptionsValidator : IValidateOptions<SiteOptions>
{
    public ValidateOptionsResult Validate(string? name, SiteOptions o)
    {
        var failures = new List<string>();
        if (!Uri.TryCreate(o.BaseUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{SiteOptions.Section}:BaseUrl: '{o.BaseUrl}' is not an absolute http(s) URL.");
        }
        if (string.IsNullOrWhiteSpace(o.Name))
        {
            failures.Add($"{SiteOptions.Section}:Name: must not be empty.");
        }
        if (o.SigningKey.Length is > 0 and < 32)
        {
            failures.Add($"{SiteOptions.Section}:SigningKey: must be at least 32 characters (was {o.SigningKey.Length}); leave it empty to have one generated.");
        }
        if (!Uri.TryCreate(o.PaperUrl?.Replace("{id}", "2403.00001", StringComparison.Ordinal), UriKind.Absolute, out _))
        {
            failures.Add($"{SiteOptions.Section}:PaperUrl: '{o.PaperUrl}' is not an absolute URL.");
        }
        if (o.UnsubscribeMailbox.Length > 0 && !MimeKit.MailboxAddress.TryParse(o.UnsubscribeMailbox, out _))
        {
            failures.Add($"{SiteOptions.Section}:UnsubscribeMailbox: '{o.UnsubscribeMailbox}' is not an email address.");
        }
        SettingRange.Check(failures, $"{SiteOptions.Section}:ConfirmLinkDays", o.ConfirmLinkDays, 1, 3650);
        SettingRange.Check(failures, $"{SiteOptions.Section}:ManageLinkDays", o.ManageLinkDays, 1, 3650);
        SettingRange.Check(failures, $"{SiteOptions.Section}:SubscribeRequestsPerMinute", o.SubscribeRequestsPerMinute, 0, 10_000, "no limit");
        SettingRange.Check(failures, $"{SiteOptions.Section}:ConfirmResendMinutes", o.ConfirmResendMinutes, 0, 10_080, "no limit");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
