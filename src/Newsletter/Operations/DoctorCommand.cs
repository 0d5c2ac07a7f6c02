using System.CommandLine;
using Newsletter.Cli;

namespace Newsletter.Operations;

public static class DoctorCommand
{
    public static Command Create(CliContext context)
    {
        var offline = new Option<bool>("--offline") { Description = "Do not fetch from the listing source (the other checks still run)." };
        var dnsFile = new Option<string?>("--dns-file") { Description = "TXT records as published (zone-file lines, what `dig +noall +answer TXT name` prints), to check the DKIM key, SPF and DMARC against." };
        var json = CliOptions.Json();
        var command = new Command("doctor",
            "Check the configuration, database, migrations, templates, mail server and listing source; say what is wrong and how to fix it. Changes nothing.")
        {
            offline, dnsFile, json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var findings = await new Doctor(context.BuildHost, TimeProvider.System) { DnsFile = result.GetValue(dnsFile) }.ExamineAsync(!result.GetValue(offline), cancellationToken);
            var failed = findings.Count(f => f.Status == FindingStatus.Failed);
            var warnings = findings.Count(f => f.Status == FindingStatus.Warning);
            if (result.GetValue(json))
            {
                await context.WriteJsonAsync(new
                {
                    ok = failed == 0,
                    failed,
                    warnings,
                    checks = findings.Select(f => new { check = f.Check, status = f.Status.ToString().ToLowerInvariant(), message = f.Message, fix = f.Fix }),
                });
            }
            else
            {
                await WriteTextAsync(context.Output, findings, failed, warnings);
            }
            return failed == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    private static async Task WriteTextAsync(TextWriter output, IReadOnlyList<Finding> findings, int failed, int warnings)
    {
        const string indent = "                     ";
        foreach (var finding in findings)
        {
            var mark = finding.Status switch
            {
                FindingStatus.Ok => "ok  ",
                FindingStatus.Warning => "WARN",
                FindingStatus.Failed => "FAIL",
                _ => "skip",
            };
            var lines = finding.Message.Split('\n', StringSplitOptions.TrimEntries);
            await output.WriteLineAsync($"{mark}  {finding.Check,-12} {lines[0]}");
            foreach (var line in lines.Skip(1))
            {
                await output.WriteLineAsync(indent + line);
            }
            if (finding.Fix is not null)
            {
                await output.WriteLineAsync($"{indent}fix: {finding.Fix}");
            }
        }
        await output.WriteLineAsync(failed == 0
            ? warnings == 0 ? "All checks passed." : $"No problems that stop the service; {warnings} warning(s)."
            : $"{failed} problem(s) found{(warnings > 0 ? $", {warnings} warning(s)" : "")}.");
    }
}
