using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Newsletter.Cli;
using Newsletter.Sources;

namespace Newsletter.Matching;

/// <summary><c>newsletter match --papers &lt;file&gt; --profiles &lt;file&gt; [--json]</c>: every (profile, paper) match, uncapped.</summary>
public static class MatchCommand
{
    public static Command Create(CliContext context)
    {
        var papersOption = new Option<FileInfo>("--papers") { Description = "Papers as a daily-papers JSON array (HF API shape).", Required = true };
        var profilesOption = new Option<FileInfo>("--profiles") { Description = "A JSON array of {\"id\", \"keywords\": [...], \"exclude\": [...], \"focus\": \"broad\"|\"focused\"}.", Required = true };
        var json = CliOptions.Json();
        var command = new Command("match", "Match papers against keyword profiles and print every match with its score and why.") { papersOption, profilesOption, json };
        command.SetAction((result, cancellationToken) => context.RunWithoutHostAsync(async () =>
        {
            var papersFile = result.GetValue(papersOption)!;
            var profilesFile = result.GetValue(profilesOption)!;
            if (!papersFile.Exists)
            {
                throw new UsageException($"--papers: file not found: {papersFile}");
            }
            var papers = ListingParser.Parse(await File.ReadAllTextAsync(papersFile.FullName, cancellationToken), papersFile.ToString(), ListingFormat.HfJson).Papers;
            var profiles = ProfileFile.Read(profilesFile);
            var cpu = IndexTiming.Enabled ? IndexTiming.ThreadCpuTime() : TimeSpan.Zero;
            var work = IndexTiming.Enabled ? IndexTiming.Work() : default;
            var clock = Stopwatch.StartNew();
            var index = PaperIndex.Build(papers);
            if (IndexTiming.Enabled)
            {
                var built = clock.Elapsed; // before anything else runs on this thread
                await context.Error.WriteLineAsync(IndexTiming.Line(papers.Count, built, IndexTiming.ThreadCpuTime() - cpu, work));
            }
            var matcher = new ProfileMatcher(index);
            var rows = new List<MatchRow>();
            foreach (var profile in profiles)
            {
                foreach (var match in matcher.Match(profile))
                {
                    var why = matcher.Explain(profile, match);
                    rows.Add(new MatchRow(profile.Id, papers[match.Paper].Id, match.Score, why.Keywords,
                        new SpanSet([.. why.TitleSpans.Select(s => new[] { s.Start, s.Length })], [.. why.SummarySpans.Select(s => new[] { s.Start, s.Length })])));
                }
            }
            if (result.GetValue(json))
            {
                await context.WriteJsonAsync(rows);
            }
            else
            {
                foreach (var group in rows.GroupBy(r => r.Profile))
                {
                    await context.Output.WriteLineAsync($"{group.Key}: {group.Count()} papers");
                    foreach (var row in group)
                    {
                        var title = papers.First(p => p.Id == row.Paper).Title;
                        await context.Output.WriteLineAsync($"  {row.Score,5:0.0}  {row.Paper}  {(title.Length > 70 ? title[..69] + "…" : title)}  [{string.Join("; ", row.Matched)}]");
                    }
                }
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private sealed record MatchRow(string Profile, string Paper, double Score, IReadOnlyList<string> Matched, SpanSet Spans);

    private sealed record SpanSet(int[][] Title, int[][] Summary);
}

/// <summary>Reads a profiles file for the match command: <c>[{"id", "keywords": [...], "exclude": [...], "max"?, "minScore"?, "focus"?}]</c>.</summary>
public static class ProfileFile
{
    public static List<Profile> Read(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new UsageException($"--profiles: file not found: {file}");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(file.FullName));
        }
        catch (JsonException e)
        {
            throw new UsageException($"--profiles: {file} is not valid JSON: {e.Message.Split(" Path:")[0]}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new UsageException($"--profiles: {file} must hold a JSON array of profiles.");
            }
            var profiles = new List<Profile>();
            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                var id = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String
                    ? i.GetString()!
                    : throw new UsageException($"--profiles: element [{index}] has no string \"id\".");
                var keywords = Strings(element, "keywords", id);
                var exclusions = element.TryGetProperty("exclude", out _) ? Strings(element, "exclude", id) : [];
                var max = element.TryGetProperty("max", out var m) && m.TryGetInt32(out var n) ? n : Profile.DefaultMaxPapers;
                double? minScore = element.TryGetProperty("minScore", out var s) && s.TryGetDouble(out var d) ? d : null;
                var focus = Focus(element, id);
                try
                {
                    profiles.Add(Profile.Compile(id, keywords, exclusions, max, minScore, focus));
                }
                catch (ProfileValidationException e)
                {
                    throw new UsageException($"profile {id}: {e.Message}");
                }
                index++;
            }
            return profiles;
        }
    }

    private static ProfileFocus Focus(JsonElement element, string id)
    {
        if (!element.TryGetProperty("focus", out var value))
        {
            return ProfileFocus.Broad;
        }
        return value.ValueKind == JsonValueKind.String && ProfileFocusNames.TryParse(value.GetString(), out var focus)
            ? focus
            : throw new UsageException($"profile {id}: \"focus\" must be \"{ProfileFocusNames.Broad}\" or \"{ProfileFocusNames.Focused}\" (was {value.GetRawText()}).");
    }

    private static List<string> Strings(JsonElement element, string name, string id)
    {
        if (!element.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array || array.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw new UsageException($"profile {id}: \"{name}\" must be an array of strings.");
        }
        return [.. array.EnumerateArray().Select(e => e.GetString()!)];
    }
}
