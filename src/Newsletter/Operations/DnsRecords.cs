using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Common;
using Newsletter.Delivery;

namespace Newsletter.Operations;

/// <summary>
/// Doctor's DKIM and DNS findings, offline: whether mail is signed and with what, the records the operator must
/// publish for the sender's domain (SPF, DKIM from the key, a starting DMARC), and, given the published TXT records
/// in a file (<see cref="DnsAnswers"/>), whether they match: the key above all, since a selector whose public key
/// is not ours fails every signature.
/// </summary>
public static class DnsRecords
{
    public static IEnumerable<Finding> Examine(IServiceProvider services, IReadOnlySet<string> broken, string? dnsFile)
    {
        if (broken.Contains(DkimOptions.Section) || broken.Contains(SmtpOptions.Section))
        {
            yield return new Finding("dkim", FindingStatus.Skipped, "skipped: the Dkim or Smtp settings are wrong (see config).");
            yield break;
        }
        var smtp = services.GetRequiredService<IOptions<SmtpOptions>>().Value;
        var dkim = services.GetRequiredService<IOptions<DkimOptions>>().Value;
        var home = services.GetRequiredService<NewsletterHome>();
        var from = MailboxAddress.Parse(smtp.From).Domain.Trim().TrimEnd('.').ToLowerInvariant();
        var sending = !string.IsNullOrWhiteSpace(smtp.Host);
        var key = dkim.Enabled ? DkimKey.Load(home.Resolve(dkim.PrivateKeyFile)) : null; // the validator read it already
        var domain = dkim.Enabled ? dkim.Domain.Trim().TrimEnd('.').ToLowerInvariant() : from;

        yield return Signing(dkim, key, domain, from, sending);
        if (!sending && key is null && dnsFile is null)
        {
            yield break; // the demo: no mail leaves this machine, nothing to publish
        }
        if (RegistrableDomain.IsIpLiteral(from) || !from.Contains('.'))
        {
            yield return new Finding("dns", FindingStatus.Skipped, $"skipped: Smtp:From is at {from}, where no DNS records can be published (see sender).");
            yield break;
        }
        var selector = dkim.Selector.Trim();
        yield return Publish(from, domain, selector, key, smtp.Host.Trim());
        if (dnsFile is not null)
        {
            foreach (var finding in Published(dnsFile, from, domain, selector, key))
            {
                yield return finding;
            }
        }
    }

    private static Finding Signing(DkimOptions dkim, DkimKey? key, string domain, string from, bool sending)
    {
        if (key is null)
        {
            return sending
                ? new Finding("dkim", FindingStatus.Warning,
                    "mail goes out without a DKIM signature: large mailbox providers junk or refuse unsigned bulk mail, and DMARC cannot pass on SPF alone once a message is forwarded.",
                    $"Run `newsletter dkim keygen --domain {from} --selector news{DateTime.UtcNow.Year}`, publish the record it prints, then set Dkim:Domain, Dkim:Selector and Dkim:PrivateKeyFile.")
                : new Finding("dkim", FindingStatus.Skipped, "skipped: Smtp:Host is empty and no Dkim settings are given, so no mail leaves this machine.");
        }
        var what = $"every message is signed (rsa-sha256, relaxed/relaxed) as d={domain} s={dkim.Selector.Trim()} with the {key.Bits}-bit key in {dkim.PrivateKeyFile}";
        return RegistrableDomain.Of(domain) == RegistrableDomain.Of(from)
            ? new Finding("dkim", FindingStatus.Ok, what)
            : new Finding("dkim", FindingStatus.Warning,
                $"{what}, but Smtp:From is at {from}: DMARC counts a signature only when its domain is the From domain or shares its registered domain.",
                $"Set Dkim:Domain to {from} (a new key and selector for it: `newsletter dkim keygen --domain {from} --selector …`), or send from an address at {domain}.");
    }

    /// <summary>The records in the order an operator publishes them: SPF and DKIM first, DMARC once both pass.</summary>
    private static Finding Publish(string from, string domain, string selector, DkimKey? key, string relay)
    {
        var spf = relay.Length > 0 && !RegistrableDomain.IsIpLiteral(relay) && relay.Contains('.') ? $"v=spf1 a:{relay} ~all" : "v=spf1 mx ~all";
        var lines = new List<string> { $"publish these TXT records for {from}:", DkimKey.ZoneLine(from, spf) };
        if (key is not null)
        {
            lines.Add(DkimKey.ZoneLine(DkimKey.RecordName(selector, domain), key.TxtValue));
        }
        // postmaster@ must exist at every mail domain (RFC 5321), so the reports have somewhere to go from the start
        lines.Add(DkimKey.ZoneLine($"_dmarc.{from}", $"v=DMARC1; p=none; rua=mailto:postmaster@{from}"));
        return new Finding("dns", FindingStatus.Ok, string.Join('\n', lines),
            "SPF names the servers that send for the envelope sender's domain: keep what the domain already has and add the relay " +
            "(a mail provider documents an include: to use instead). DMARC starts at p=none, which only asks for reports; move to " +
            "p=quarantine once they show every message passing. `--dns-file` checks what is published.");
    }

    private static IEnumerable<Finding> Published(string dnsFile, string from, string domain, string selector, DkimKey? key)
    {
        List<TxtAnswer> answers;
        try
        {
            answers = DnsAnswers.Parse(File.ReadAllText(dnsFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return [new Finding("published", FindingStatus.Failed, $"--dns-file {dnsFile}: {e.Message}",
                "Give a file of TXT records, one per line as `name [ttl] [IN] TXT \"string\" …` (what `dig +noall +answer TXT name` prints).")];
        }
        var findings = new List<Finding>();
        if (key is not null)
        {
            findings.Add(PublishedKey(answers.At(DkimKey.RecordName(selector, domain)).ToList(), DkimKey.RecordName(selector, domain), key, dnsFile));
        }
        var spf = answers.At(from).Where(a => a.Value.StartsWith("v=spf1", StringComparison.OrdinalIgnoreCase)).ToList();
        findings.Add(spf.Count switch
        {
            0 => new Finding("published", FindingStatus.Warning, $"no SPF record (v=spf1) for {from} in {dnsFile}.", "Publish the SPF record above."),
            1 => new Finding("published", FindingStatus.Ok, $"SPF for {from}: {spf[0].Value}"),
            _ => new Finding("published", FindingStatus.Failed, $"{spf.Count} SPF records for {from} in {dnsFile}: receivers treat that as an error (RFC 7208) and SPF fails.",
                "Merge them into one v=spf1 record."),
        });
        var dmarc = answers.At($"_dmarc.{from}").Where(a => a.Value.StartsWith("v=DMARC1", StringComparison.OrdinalIgnoreCase)).ToList();
        findings.Add(dmarc.Count == 0
            ? new Finding("published", FindingStatus.Warning, $"no DMARC record for {from} (_dmarc.{from}) in {dnsFile}.", "Publish the DMARC record above (p=none to start).")
            : new Finding("published", FindingStatus.Ok, $"DMARC for {from}: {dmarc[0].Value}"));
        return findings;
    }

    private static Finding PublishedKey(List<TxtAnswer> records, string name, DkimKey key, string dnsFile)
    {
        const string fix = "Publish the DKIM record above at that name (replacing what is there), or point Dkim:PrivateKeyFile at the key that belongs to the selector.";
        if (records.Count == 0)
        {
            return new Finding("published", FindingStatus.Failed, $"no TXT record at {name} in {dnsFile}: receivers cannot check any signature.", fix);
        }
        if (records.Count > 1)
        {
            return new Finding("published", FindingStatus.Failed, $"{records.Count} TXT records at {name} in {dnsFile}: receivers pick one at random, so signatures fail some of the time.", fix);
        }
        var tags = DkimKey.Tags(records[0].Value);
        if (tags.TryGetValue("k", out var k) && !k.Equals("rsa", StringComparison.OrdinalIgnoreCase))
        {
            return new Finding("published", FindingStatus.Failed, $"the record at {name} is for a k={k} key; Dkim:PrivateKeyFile holds an RSA key.", fix);
        }
        if (!tags.TryGetValue("p", out var p) || p.Length == 0)
        {
            return new Finding("published", FindingStatus.Failed, $"the record at {name} has an empty p=: the key is revoked, and every signature with it fails.", fix);
        }
        return key.Matches(p)
            ? new Finding("published", FindingStatus.Ok, $"the DKIM key at {name} is the one in Dkim:PrivateKeyFile")
            : new Finding("published", FindingStatus.Failed, $"the DKIM key at {name} is not the one in Dkim:PrivateKeyFile: every message signed now fails DKIM.", fix);
    }
}
