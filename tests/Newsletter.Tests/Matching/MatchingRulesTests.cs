using Newsletter.Matching;
using Newsletter.Papers;
using static Newsletter.Tests.Matching.MatchingSupport;

namespace Newsletter.Tests.Matching;

/// <summary>Every row and rule of shared/reference/matching.md, on real abstracts from the corpus where one exists.</summary>
public sealed class MatchingRulesTests
{
    // Row: RNN — whole tokens only
    [Fact]
    public void Acronym_RNN_matches_its_plural_in_a_real_abstract() =>
        Assert.True(MatchesPaper(CorpusPaper("9912.00167"), ["RNN"]));

    [Theory]
    [InlineData("RNNs struggle with long sequences.")]
    [InlineData("We use an RNN-based encoder.")]
    public void Acronym_RNN_matches_whole_tokens(string text) => Assert.True(Matches("RNN", text));

    [Theory]
    [InlineData("A BRNN reads both directions.")]
    [InlineData("We compare with rnnoise.")]
    [InlineData("An rnn in lower case is not the acronym.")]
    public void Acronym_RNN_does_not_match_inside_other_words_or_in_lower_case(string text) => Assert.False(Matches("RNN", text));

    // Row: SAM — acronyms are case-sensitive
    [Fact]
    public void Acronym_SAM_matches_in_a_real_abstract() => Assert.True(MatchesPaper(CorpusPaper("9912.00032"), ["SAM"]));

    [Theory]
    [InlineData("We build on SAM for masks.")]
    [InlineData("Several SAMs were compared.")]
    [InlineData("A SAM-based pipeline.")]
    public void Acronym_SAM_matches_plural_and_hyphenated(string text) => Assert.True(Matches("SAM", text));

    [Theory]
    [InlineData("The same model is used.")]
    [InlineData("Sam and Alex wrote this.")]
    public void Acronym_SAM_does_not_match_same_or_a_name(string text) => Assert.False(Matches("SAM", text));

    [Theory]
    [InlineData("RL", "Existing Reinforcement Learning (RL) methods often struggle", true)]
    [InlineData("RL", "available online at the following URL: https://github.com/x", false)]
    [InlineData("RL", "agents act in the real world", false)]
    [InlineData("GAN", "their inner organization", false)]
    [InlineData("GAN", "Guided GAN Inversion", true)]
    [InlineData("MoE", "Sparse Mixture-of-Experts (Sparse-MoE) framework", true)]
    [InlineData("LLMs", "a strong LLM baseline", true)]
    public void Short_acronyms_never_match_inside_longer_words(string keyword, string text, bool expected) =>
        Assert.Equal(expected, Matches(keyword, text));

    // Row: transformer — inflections, not derivations
    [Fact]
    public void Transformer_matches_Transformers_in_a_real_title() => Assert.True(MatchesPaper(CorpusPaper("9912.00031"), ["transformer"]));

    [Fact]
    public void Transformer_matches_transformer_based_in_a_real_abstract() => Assert.True(MatchesPaper(CorpusPaper("9912.00204"), ["transformer"]));

    [Theory]
    [InlineData("We transform the input.")]
    [InlineData("via self-supervision of input transformation.")]
    public void Transformer_does_not_match_transform_or_transformation(string text) => Assert.False(Matches("transformer", text));

    // Row: fine-tuning — hyphen, space and nothing are the same; parts must be adjacent
    [Theory]
    [InlineData("full fine-tuning of the model")]
    [InlineData("full fine tuning of the model")]
    [InlineData("our models include supervised finetuning (SFT)")]
    [InlineData("Pruning For Fine-Tuned Models")]
    [InlineData("The pretrain-finetune paradigm")]
    [InlineData("we fine‑tune it (non-breaking hyphen)")]
    public void Fine_tuning_matches_every_spelling(string text) => Assert.True(Matches("fine-tuning", text));

    [Fact]
    public void Fine_tuning_matches_in_real_abstracts() =>
        Assert.True(MatchesPaper(CorpusPaper("9912.00100"), ["fine-tuning"]) && MatchesPaper(CorpusPaper("9912.00267"), ["fine-tuning"]));

    [Theory]
    [InlineData("fine-grained tuning of hyperparameters")]
    [InlineData("fine, tuning")]
    public void Fine_tuning_does_not_match_parts_that_are_not_adjacent(string text) => Assert.False(Matches("fine-tuning", text));

    [Theory]
    [InlineData("finetuning", "fine-tuning works")]
    [InlineData("finetuning", "fine tuning works")]
    [InlineData("fine tuning", "finetuning works")]
    public void Joined_and_split_keywords_are_equivalent_both_ways(string keyword, string text) => Assert.True(Matches(keyword, text));

    // Row: image segmentation — phrase order kept
    [Fact]
    public void Phrase_matches_in_a_real_abstract() => Assert.True(MatchesPaper(CorpusPaper("9912.00388"), ["image segmentation"]));

    [Fact]
    public void Phrase_matches_inflected_words() => Assert.True(Matches("image segmentation", "Image Segmentations of CT scans"));

    [Theory]
    [InlineData("segmentation of images")]
    [InlineData("image features help downstream segmentation")]
    public void Phrase_does_not_match_other_orders_or_distant_words(string text) => Assert.False(Matches("image segmentation", text));

    // Row: text-to-image
    [Fact]
    public void Text_to_image_matches_in_real_abstracts() =>
        Assert.True(MatchesPaper(CorpusPaper("9912.00021"), ["text-to-image"]) && MatchesPaper(CorpusPaper("9912.00362"), ["text-to-image"]));

    [Theory]
    [InlineData("text-to-image generation")]
    [InlineData("text to image generation")]
    [InlineData("Text-to-Image Generation")]
    [InlineData("text\u2011to\u2011image generation")]
    [InlineData("text\u2013to\u2013image generation")]
    public void Text_to_image_matches_every_hyphen_and_case(string text) => Assert.True(Matches("text-to-image", text));

    [Fact]
    public void Text_to_image_does_not_match_across_punctuation() => Assert.False(Matches("text-to-image", "we parse text, to image regions later"));

    // Row: naive bayes — Unicode folding
    [Theory]
    [InlineData("a naïve Bayes classifier")]
    [InlineData("a Naive Bayes classifier")]
    [InlineData("a naive\u00A0Bayes classifier")]
    [InlineData("a \u201Cnaive Bayes\u201D classifier")]
    public void Unicode_is_folded(string text) => Assert.True(Matches("naive bayes", text));

    [Fact]
    public void Ligatures_are_expanded() => Assert.True(Matches("fine-tuning", "we \uFB01ne-tune the model"));

    [Fact]
    public void Diacritics_in_the_keyword_are_folded_too() => Assert.True(Matches("naïve bayes", "a naive Bayes baseline"));

    [Fact]
    public void A_word_written_with_combining_accents_matches_it_written_precomposed()
    {
        // "Räkönen" as R, a + U+0308, k, o + U+0308, nen: each mark used to end a word, making three of it
        Assert.True(Matches("Räkönen", "the Ra\u0308ko\u0308nen model"));
        Assert.True(Matches("Ra\u0308ko\u0308nen", "the Räkönen model"));
    }

    [Fact]
    public void A_highlight_keeps_the_combining_accents_of_its_last_letter()
    {
        var paper = Paper.Of("2401.1", "Cafe\u0301 Benchmarks", "");

        Assert.Equal(["Cafe\u0301"], Highlighted("café", paper));
    }

    [Fact]
    public void A_title_with_the_noncharacter_U_FFFE_is_matched_like_any_other()
    {
        // .NET refuses to normalise U+FFFE: folding it threw, which stopped the whole day's index
        Assert.True(Matches("diffusion", "latent diffusion\uFFFE models"));
        Assert.Equal(["latent", "diffusion", "models"], Tokenizer.Tokenize("latent\uFFFEdiffusion models").Select(t => t.Text));
    }

    // Row: speech with exclusion speech synthesis
    [Fact]
    public void Speech_matches_a_real_speech_recognition_abstract() => Assert.True(MatchesPaper(CorpusPaper("9912.00010"), ["speech"], ["speech synthesis"]));

    [Fact]
    public void An_exclusion_vetoes_a_paper_that_matches_a_keyword()
    {
        var paper = CorpusPaper("9912.00010");
        var withSynthesis = paper with { Summary = paper.Summary + " We also study speech synthesis." };

        Assert.False(MatchesPaper(withSynthesis, ["speech"], ["speech synthesis"]));
    }

    // Rule 3: inflections via the stemmer, in keywords and text
    [Theory]
    [InlineData("models", "a new model")]
    [InlineData("model", "two models")]
    [InlineData("pruned", "we study pruning")]
    [InlineData("pruning", "weights are pruned")]
    public void Ordinary_words_match_their_inflections(string keyword, string text) => Assert.True(Matches(keyword, text));

    [Fact]
    public void Pruning_matches_a_real_abstract_that_says_pruned() => Assert.True(MatchesPaper(CorpusPaper("9912.00020"), ["pruning"]));

    // The language: quotes, AND, OR, NOT, parentheses
    [Theory]
    [InlineData("\"large language model\" AND (distillation OR \"knowledge transfer\") NOT survey", "Large language models learn by knowledge transfer.", true)]
    [InlineData("\"large language model\" AND (distillation OR \"knowledge transfer\") NOT survey", "A survey of large language model distillation.", false)]
    [InlineData("\"large language model\" AND (distillation OR \"knowledge transfer\") NOT survey", "Large language models and their knowledge.", false)]
    [InlineData("diffusion OR flow", "flow matching", true)]
    [InlineData("diffusion AND video", "diffusion for images", false)]
    [InlineData("diffusion NOT video", "diffusion for images", true)]
    [InlineData("diffusion NOT video", "diffusion for video", false)]
    [InlineData("(robot OR robotic) AND manipulation", "robotic manipulation skills", true)]
    [InlineData("\"diffusion model\" video", "video generation with diffusion models", true)]
    [InlineData("reasoning and planning", "reasoning and planning benchmarks", true)]
    [InlineData("reasoning and planning", "reasoning benchmarks and planning", false)]
    public void Boolean_expressions_match_as_written(string keyword, string text, bool expected) => Assert.Equal(expected, Matches(keyword, text));

    [Fact]
    public void Highlights_cover_the_matched_words_in_the_original_text()
    {
        var paper = Paper.Of("2401.1", "Fine-Tuned Transformers", "We fine tune transformer-based models; Fine-Tuning helps.");

        Assert.Equal(["Fine-Tuned", "fine tune", "Fine-Tuning"], Highlighted("fine-tuning", paper));
        Assert.Equal(["Transformers", "transformer"], Highlighted("transformer", paper));
    }
}
