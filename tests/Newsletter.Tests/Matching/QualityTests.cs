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

    /// <summary>
    /// The trade-off of focus on the same judgements: focused keeps only papers a keyword is central to, so it may
    /// lose relevant papers that mention the keyword in passing, and should lose more irrelevant ones. The table
    /// (docs/keywords.md quotes it) is printed and written to matching-focus.md next to the test binaries.
    /// </summary>
    [Fact]
    public void Focused_profiles_trade_recall_for_precision_on_hand_judged_profiles()
    {
        var papers = MatchingSupport.CorpusPapers;
        var matcher = new ProfileMatcher(PaperIndex.Build(papers));
        var report = new StringBuilder("| profile | relevant | broad found | broad P | broad R | focused found | focused P | focused R |\n|---|---|---|---|---|---|---|---|\n");
        int[] broadAll = [0, 0, 0], focusedAll = [0, 0, 0];
        foreach (var judged in Profiles())
        {
            var relevant = judged.Relevant.ToHashSet();
            var found = new List<(int Tp, int Fp, int Fn, double P, double R, double F1)>();
            foreach (var (focus, total) in new[] { (ProfileFocus.Broad, broadAll), (ProfileFocus.Focused, focusedAll) })
            {
                var profile = Profile.Compile(judged.Id, judged.Keywords, judged.Exclude, focus: focus);
                var score = Score(matcher.Match(profile).Select(m => papers[m.Paper].Id).ToHashSet(), relevant);
                (total[0], total[1], total[2]) = (total[0] + score.Tp, total[1] + score.Fp, total[2] + score.Fn);
                found.Add(score);
            }
            var (b, f) = (found[0], found[1]);
            report.AppendLine($"| {judged.Interest} | {relevant.Count} | {b.Tp + b.Fp} | {b.P:0.00} | {b.R:0.00} | {f.Tp + f.Fp} | {f.P:0.00} | {f.R:0.00} |");
        }
        var broad = Score(broadAll[0], broadAll[1], broadAll[2]);
        var focused = Score(focusedAll[0], focusedAll[1], focusedAll[2]);
        report.AppendLine($"| **all (micro)** | {broadAll[0] + broadAll[2]} | {broadAll[0] + broadAll[1]} | **{broad.P:0.00}** | **{broad.R:0.00}** | {focusedAll[0] + focusedAll[1]} | **{focused.P:0.00}** | **{focused.R:0.00}** |");
        report.AppendLine($"\nF1: broad {broad.F1:0.00}, focused {focused.F1:0.00}.");
        output.WriteLine(report.ToString());
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "matching-focus.md"), report.ToString());

        Assert.True(focused.P > broad.P, $"focused precision {focused.P:0.00} is not above broad {broad.P:0.00}\n{report}");
        Assert.True(focused.R <= broad.R, $"focused recall {focused.R:0.00} is above broad {broad.R:0.00}: it should only drop papers\n{report}");
        Assert.True(focusedAll[0] + focusedAll[1] < broadAll[0] + broadAll[1], report.ToString());
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
