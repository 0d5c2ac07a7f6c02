using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Common;
using Newsletter.Delivery;

namespace Newsletter.Operations;

/// <summary>
/// What matters once real mail goes out (an SMTP host is set): links a recipient's browser can open, and a sender
/// address receiving servers can check. A pickup-folder setup (the demo) is spared these.
/// </summary>
public static class GoingLiveChecks
{
    public static IEnumerable<Finding> Examine(IServiceProvider services, IReadOnlySet<string> broken)
    {
        if (broken.Contains(SmtpOptions.Section) || broken.Contains(SiteOptions.Section))
        {
            yield return new Finding("site", FindingStatus.Skipped, "skipped: the Smtp or Site settings are wrong (see config).");
            yield break;
        }
        var smtp = services.GetRequiredService<IOptions<SmtpOptions>>().Value;
        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            yield return new Finding("site", FindingStatus.Skipped, "skipped: Smtp:Host is empty, so no mail leaves this machine; Site:BaseUrl and Smtp:From are checked once it is set.");
            yield break;
        }
        var configured = services.GetRequiredService<IConfiguration>()[$"{SiteOptions.Section}:{nameof(SiteOptions.BaseUrl)}"] is not null;
        var site = new Uri(services.GetRequiredService<IOptions<SiteOptions>>().Value.BaseUrl);
        yield return Site(site, configured);
        foreach (var finding in Sender(MailboxAddress.Parse(smtp.From).Domain, site))
        {
            yield return finding;
        }
    }

    /// <summary>
    /// The name localhost is the default nobody changed; a loopback address on http is taken as chosen on purpose (a
    /// trial on this machine with a local mail catcher, as the tests run), so only a real host on http fails.
    /// </summary>
    private static Finding Site(Uri site, bool configured)
    {
        var url = site.GetLeftPart(UriPartial.Authority);
        if (IsLocalhost(site.Host))
        {
            var what = configured
                ? $"Site:BaseUrl {url} names localhost"
                : $"Site:BaseUrl is not set: emailed links go to where serve listens (by default {url})";
            return new Finding("site", FindingStatus.Failed, $"{what}: the preferences, unsubscribe and confirmation links in real mail open nothing for the recipient.",
                "Set Site:BaseUrl to the public https:// address of the pages (e.g. https://news.example.org), where the reverse proxy or load balancer answers.");
        }
        if (site.Scheme == Uri.UriSchemeHttp && !site.IsLoopback)
        {
            return new Finding("site", FindingStatus.Failed,
                $"Site:BaseUrl {url} is plain http: the signed links travel unencrypted, and large mailbox providers expect the one-click unsubscribe (List-Unsubscribe) on https.",
                "Terminate TLS at a reverse proxy (or set Kestrel:Certificates:Default) and set Site:BaseUrl to the https:// address.");
        }
        return new Finding("site", FindingStatus.Ok, $"emailed links start with {url}");
    }

    private static IEnumerable<Finding> Sender(string domain, Uri site)
    {
        var plain = domain.Trim().TrimEnd('.').ToLowerInvariant();
        if (IsLocalhost(plain) || RegistrableDomain.IsIpLiteral(plain))
        {
            yield return new Finding("sender", FindingStatus.Failed,
                $"Smtp:From is at {domain}, which is not a mail domain: no SPF, DKIM or DMARC can be published for it, receiving servers reject or junk its mail, and it is the Message-ID domain too.",
                $"Set Smtp:From to an address at your own domain{(!HasDomain(site) ? "" : $" (e.g. newsletter@{RegistrableDomain.Of(site.Host)})")}, one the relay may send for, with SPF and DKIM set up for it.");
            yield break;
        }
        if (!HasDomain(site))
        {
            // links to an address or to localhost: nothing to align the sender with (the site finding judges them)
            yield return new Finding("sender", FindingStatus.Ok, $"Smtp:From is at {plain}");
            yield break;
        }
        var sender = RegistrableDomain.Of(plain);
        var pages = RegistrableDomain.Of(site.Host);
        yield return sender == pages
            ? new Finding("sender", FindingStatus.Ok, $"Smtp:From and Site:BaseUrl are both at {sender}")
            : new Finding("sender", FindingStatus.Warning,
                $"Smtp:From is at {sender} but the links go to {pages}: receivers judge a message by its From domain (DMARC aligns SPF and DKIM with it), and mail whose links lead to another domain than its sender's looks like phishing to filters and readers.",
                $"Send from an address at {pages} (e.g. newsletter@{pages}) with SPF and DKIM for it, or serve the pages under {sender}.");
    }

    private static bool IsLocalhost(string host)
    {
        var name = host.TrimEnd('.').ToLowerInvariant();
        return name is "localhost" or "localhost.localdomain" || name.EndsWith(".localhost", StringComparison.Ordinal);
    }

    private static bool HasDomain(Uri site) => site.HostNameType == UriHostNameType.Dns && !IsLocalhost(site.Host) && site.Host.Contains('.');
}
