using Newsletter.Matching;

namespace Newsletter.Tests.Matching;

public sealed class WordKeyTests
{
    [Theory]
    [InlineData("model", "models")]
    [InlineData("prune", "pruned")]
    [InlineData("pruned", "pruning")]
    [InlineData("transformer", "transformers")]
    [InlineData("finetuning", "finetune")]
    [InlineData("finetuning", "finetuned")]
    [InlineData("segmentation", "segmentations")]
    [InlineData("study", "studies")]
    [InlineData("network", "networks")]
    [InlineData("run", "running")]
    [InlineData("agent", "agents")]
    [InlineData("process", "processes")]
    public void Inflections_share_a_key(string a, string b) => Assert.Equal(WordKeys.Key(a), WordKeys.Key(b));

    [Theory]
    [InlineData("transformer", "transform")]
    [InlineData("transformer", "transformation")]
    [InlineData("transform", "transformation")]
    [InlineData("generative", "generation")]
    [InlineData("learner", "learning")]
    [InlineData("agent", "agentic")]
    public void Derivations_keep_apart(string a, string b) => Assert.NotEqual(WordKeys.Key(a), WordKeys.Key(b));

    [Theory]
    [InlineData("RL", true)]
    [InlineData("MoE", true)]
    [InlineData("LoRA", true)]
    [InlineData("ViT", true)]
    [InlineData("Sam", false)]
    [InlineData("same", false)]
    public void Two_capitals_make_an_acronym(string word, bool acronym) => Assert.Equal(acronym, WordKeys.IsAcronym(word));
}
