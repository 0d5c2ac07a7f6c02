using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Newsletter.Common;

namespace Newsletter.Delivery;

/// <summary>DKIM signing of every outgoing message (RFC 6376). All three empty: mail goes out unsigned, as before.</summary>
public sealed class DkimOptions
{
    public const string Section = "Dkim";

    /// <summary>The signing domain (<c>d=</c>): the From domain, or a parent of it, for DMARC to count the signature.</summary>
    public string Domain { get; set; } = "";

    /// <summary>The selector (<c>s=</c>): the key is published at <c>selector._domainkey.domain</c>.</summary>
    public string Selector { get; set; } = "";

    /// <summary>The RSA private key, PEM (PKCS#1 or PKCS#8), relative to the home folder; <c>newsletter dkim keygen</c> writes one.</summary>
    public string PrivateKeyFile { get; set; } = "";

    public bool Enabled => !string.IsNullOrWhiteSpace(Domain) || !string.IsNullOrWhiteSpace(Selector) || !string.IsNullOrWhiteSpace(PrivateKeyFile);
}

/// <summary>Reads the key at start-up, so a key that cannot sign stops the service there rather than sending unsigned mail.</summary>
public sealed partial class DkimOptionsValidator(NewsletterHome home) : IValidateOptions<DkimOptions>
{
    public ValidateOptionsResult Validate(string? name, DkimOptions o)
    {
        if (!o.Enabled)
        {
            return ValidateOptionsResult.Success;
        }
        var failures = new List<string>();
        if (!IsDomain(o.Domain))
        {
            failures.Add($"{DkimOptions.Section}:Domain: '{o.Domain}' is not a domain name (e.g. example.org); set it with Dkim:Selector and Dkim:PrivateKeyFile, or empty all three to send unsigned.");
        }
        if (!IsSelector(o.Selector))
        {
            failures.Add($"{DkimOptions.Section}:Selector: '{o.Selector}' is not a selector (letters, digits, hyphens, dots; e.g. news2026).");
        }
        if (string.IsNullOrWhiteSpace(o.PrivateKeyFile))
        {
            failures.Add($"{DkimOptions.Section}:PrivateKeyFile: is empty while Dkim:Domain or Dkim:Selector is set; make a key with `newsletter dkim keygen`.");
        }
        else
        {
            try
            {
                DkimKey.Load(home.Resolve(o.PrivateKeyFile));
            }
            catch (DkimKeyException e)
            {
                failures.Add($"{DkimOptions.Section}:PrivateKeyFile: {e.Message}.");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static bool IsDomain(string value) =>
        Uri.CheckHostName(value.Trim()) == UriHostNameType.Dns && value.Trim().TrimEnd('.').Contains('.');

    public static bool IsSelector(string value) => Selector().IsMatch(value);

    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex Selector();
}
