using Newsletter.Papers;

namespace Newsletter.Matching;

/// <summary>
/// Runs the indexing and matching code once on a tiny made-up day, so the just-in-time compiler has done its work
/// before the real day's index is built. A fresh process otherwise spends more time compiling that code than
/// running it, on the one index a command builds.
/// </summary>
public static class MatchingWarmUp
{
    private static readonly Lazy<Task> Started = new(() => Task.Run(Run));

    /// <summary>Starts the warm-up in the background, once per process; returns at once.</summary>
    public static Task Start() => Started.Value;

    private static void Run()
    {
        Paper[] papers =
        [
            Paper.Of("0000.00001", "Fine-Tuning LLMs with RLHF: a Text-to-Image Warm-up",
                "We study reinforcement learning from human feedback (RLHF) for large language models, fine-tuned and finetuning, with LoRA adapters; naïve baselines."),
            Paper.Of("0000.00002", "Diffusion Models and Vision Transformers", "Diffusion models, vision transformers (ViTs) and mixture-of-experts (MoE) for image segmentation."),
        ];
        var matcher = new ProfileMatcher(PaperIndex.Build(papers));
        var profile = Profile.Compile("warm-up", ["\"reinforcement learning\"", "LLM AND (RLHF OR LoRA)", "fine-tuning", "diffusion NOT survey", "text-to-image"], ["quantum"]);
        foreach (var match in matcher.Select(profile))
        {
            matcher.Explain(profile, match);
        }
    }
}
