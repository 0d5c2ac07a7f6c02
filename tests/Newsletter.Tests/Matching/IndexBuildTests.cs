using Newsletter.Matching;
using Newsletter.Papers;

namespace Newsletter.Tests.Matching;

/// <summary>
/// A day's index is built with shortcuts a one-paper index never takes (keys of new words worked out on another
/// core, tables grown several times over): whatever a term matches in a paper must not depend on them.
/// </summary>
public sealed class IndexBuildTests
{
    private static readonly string[] Terms =
    [
        "model", "models", "learning", "fine-tuning", "finetuning", "LLM", "LLMs", "RL", "reinforcement learning",
        "diffusion model", "transformer", "transformers", "state-of-the-art", "pre-training", "data", "agent", "agentic",
        "vision-language", "text-to-image", "naïve", "benchmark", "multi-modal", "multimodal", "Q-learning",
    ];

    [Fact]
    public void A_day_index_finds_in_each_paper_what_an_index_of_that_paper_alone_finds()
    {
        var papers = MatchingSupport.CorpusPapers;
        PaperIndex? day = null;
        // a thread of its own: every word is new to its tokenizer, as in a fresh process
        var thread = new Thread(() => day = PaperIndex.Build(papers));
        thread.Start();
        thread.Join();
        var terms = Terms.Select(t => TermCompiler.Compile(t, Tokenizer.Tokenize(t))).ToList();
        var dayHits = terms.Select(t => day!.Resolve(t)).ToList();
        for (var p = 0; p < papers.Count; p++)
        {
            var alone = PaperIndex.Build([papers[p]]);
            for (var t = 0; t < terms.Count; t++)
            {
                var expected = alone.Resolve(terms[t]);
                var inDay = (dayHits[t].Any[p >> 6] & (1UL << (p & 63))) != 0;
                Assert.True(inDay == ((expected.Any[0] & 1) != 0), $"{Terms[t]} in paper {papers[p].Id}");
                Assert.Equal(expected.SpansIn(0).ToList(), dayHits[t].SpansIn(p).ToList());
            }
        }
    }
}
