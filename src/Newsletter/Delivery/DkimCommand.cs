using System.CommandLine;
using Newsletter.Cli;
using Newsletter.Common;

namespace Newsletter.Delivery;

/// <summary><c>newsletter dkim keygen --domain D --selector S [--out FILE]</c>: a signing key and the DNS record that publishes it.</summary>
public static class DkimCommand
{
    public static Command Create(CliContext context) =>
        new("dkim", "DKIM signing of outgoing mail: make a key and the DNS record to publish.") { Keygen(context) };

    private static Command Keygen(CliContext context)
    {
        var domain = new Option<string>("--domain") { Description = "The signing domain (d=): your From address's domain, or a parent of it.", Required = true };
        var selector = new Option<string>("--selector") { Description = "The selector (s=), e.g. news2026: a new one for each new key, so the old record can stay until mail signed with it is read.", Required = true };
        var output = new Option<string?>("--out") { Description = "Where to write the key (PEM, PKCS#8, readable by this user only); default data/dkim/<selector>.<domain>.pem in the home folder. Never overwritten." };
        var json = CliOptions.Json();
        var command = new Command("keygen", $"Write a new {DkimKey.GeneratedBits}-bit RSA key and print the DNS TXT record and the settings that use it.") { domain, selector, output, json };
        command.SetAction((result, cancellationToken) => context.RunWithoutHostAsync(async () =>
        {
            var d = result.GetValue(domain)!.Trim().TrimEnd('.').ToLowerInvariant();
            var s = result.GetValue(selector)!.Trim();
            if (!DkimOptionsValidator.IsDomain(d))
            {
                throw new UsageException($"--domain: '{d}' is not a domain name (e.g. example.org).");
            }
            if (!DkimOptionsValidator.IsSelector(s))
            {
                throw new UsageException($"--selector: '{s}' is not a selector (letters, digits, hyphens, dots; e.g. news2026).");
            }
            var home = NewsletterHome.Locate(context.Switches.ConfigFile);
            var setting = result.GetValue(output) is { } given ? Path.GetFullPath(given) : Path.Combine("data", "dkim", $"{s}.{d}.pem");
            var path = home.Resolve(setting);
            if (File.Exists(path))
            {
                throw new UsageException($"--out: {path} exists already; a published key is never overwritten: choose another selector or --out.");
            }
            var key = DkimKey.Generate();
            PrivateFiles.CreateFolder(Path.GetDirectoryName(path)!);
            await using (var file = PrivateFiles.Create(path, FileMode.CreateNew))
            await using (var writer = new StreamWriter(file))
            {
                await writer.WriteAsync(key.Pkcs8Pem + "\n");
            }
            var name = DkimKey.RecordName(s, d);
            var record = DkimKey.ZoneLine(name, key.TxtValue);
            if (result.GetValue(json))
            {
                await context.WriteJsonAsync(new { domain = d, selector = s, file = path, bits = key.Bits, name, value = key.TxtValue, record });
            }
            else
            {
                await context.Output.WriteLineAsync($"Wrote a {key.Bits}-bit RSA key to {path} (readable by this user only).");
                await context.Output.WriteLineAsync();
                await context.Output.WriteLineAsync($"1. Publish this TXT record in the DNS of {d}:");
                await context.Output.WriteLineAsync(record);
                await context.Output.WriteLineAsync();
                await context.Output.WriteLineAsync($"2. Once it resolves, set Dkim:Domain={d}, Dkim:Selector={s}, Dkim:PrivateKeyFile={setting}");
                await context.Output.WriteLineAsync("   and restart; `newsletter doctor --offline` prints the SPF and DMARC records to go with it.");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }
}
