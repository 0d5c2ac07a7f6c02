using System.Text;
using System.Text.Json;
using Newsletter.Matching;
using Newsletter.Papers;
using Xunit.Abstractions;

namespace Newsletter.Tests.Matching;

/// <summary>
/// The engine against plain substring matching on the whole corpus, for hand-judged research interests
/// (QualityProfiles.json: each profile's relevant papers were chosen by reading titles and abstracts, not by running
/// either matcher). Precision, recall and F1 are micro-averaged over all (profile, paper) pairs.
/// </summary>
public sealed class QualityTests(ITestOutputHelper output)
{
    private sealed record Judged(string Id, string Interest, string[] Keywords, string[] Exclude, string[] Relevant);

    private static List<Judged> Profiles() =>
        JsonSerializer.Deserialize<List<Judged>>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Matching", "QualityProfiles.json")),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    [Fact]
    public void The_engine_beats_substring_matching_on_hand_judged_profiles()
    {
        var papers = MatchingSupport.CorpusPapers;
        var matcher = new ProfileMatcher(PaperIndex.Build(papers));
        var report = new StringBuilder("| profile | relevant | engine P | engine R | engine F1 | substring P | substring R | substring F1 |\n|---|---|---|---|---|---|---|---|\n");
        int engineTp = 0, engineFp = 0, engineFn = 0, naiveTp = 0, naiveFp = 0, naiveFn = 0;
        foreach (var judged in Profiles())
        {
            var profile = Profile.Compile(judged.Id, judged.Keywords, judged.Exclude);
            var relevant = judged.Relevant.ToHashSet();
            Assert.All(relevant, id => Assert.Contains(papers, p => p.Id == id));
            var engine = matcher.Match(profile).Select(m => papers[m.Paper].Id).ToHashSet();
            var naive = papers.Where(p => Substring.Matches(profile, p)).Select(p => p.Id).ToHashSet();
            var e = Score(engine, relevant);
            var n = Score(naive, relevant);
            (engineTp, engineFp, engineFn) = (engineTp + e.Tp, engineFp + e.Fp, engineFn + e.Fn);
            (naiveTp, naiveFp, naiveFn) = (naiveTp + n.Tp, naiveFp + n.Fp, naiveFn + n.Fn);
            report.AppendLine($"| {judged.Interest} | {relevant.Count} | {e.P:0.00} | {e.R:0.00} | {e.F1:0.00} | {n.P:0.00} | {n.R:0.00} | {n.F1:0.00} |");
        }
        var engineAll = Score(engineTp, engineFp, engineFn);
        var naiveAll = Score(naiveTp, naiveFp, naiveFn);
        report.AppendLine($"| **all (micro)** | {engineTp + engineFn} | **{engineAll.P:0.00}** | **{engineAll.R:0.00}** | **{engineAll.F1:0.00}** | {naiveAll.P:0.00} | {naiveAll.R:0.00} | {naiveAll.F1:0.00} |");
        output.WriteLine(report.ToString());
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "matching-quality.md"), report.ToString());

        Assert.True(engineAll.F1 >= naiveAll.F1 + 0.05, $"engine F1 {engineAll.F1:0.00} is not clearly above substring F1 {naiveAll.F1:0.00}\n{report}");
        Assert.True(engineAll.P > naiveAll.P, report.ToString());
        Assert.True(engineAll.F1 >= 0.75, report.ToString());
    }

    private static (int Tp, int Fp, int Fn, double P, double R, double F1) Score(HashSet<string> found, HashSet<string> relevant)
    {
        var tp = found.Count(relevant.Contains);
        return Score(tp, found.Count - tp, relevant.Count - tp);
    }

    private static (int Tp, int Fp, int Fn, double P, double R, double F1) Score(int tp, int fp, int fn)
    {
        var p = tp + fp == 0 ? 1 : (double)tp / (tp + fp);
        var r = tp + fn == 0 ? 1 : (double)tp / (tp + fn);
        return (tp, fp, fn, p, r, p + r == 0 ? 0 : 2 * p * r / (p + r));
    }

    /// <summary>The naive way: the same keywords and boolean structure, each term a case-insensitive Contains on title + abstract.</summary>
    private static class Substring
    {
        public static bool Matches(Profile profile, Paper paper)
        {
            var text = paper.Title + "\n" + paper.Summary;
            return profile.Keywords.Any(k => Eval(k.Query, text)) && !profile.Exclusions.Any(k => Eval(k.Query, text));
        }

        private static bool Eval(QueryNode node, string text) => node switch
        {
            TermNode term => text.Contains(term.Text, StringComparison.OrdinalIgnoreCase),
            AndNode and => and.Children.All(c => Eval(c, text)),
            OrNode or => or.Children.Any(c => Eval(c, text)),
            NotNode not => !Eval(not.Child, text),
            _ => false,
        };
    }
}
