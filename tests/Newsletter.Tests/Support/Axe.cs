using System.Text.Json;
using Microsoft.Playwright;

namespace Newsletter.Tests.Support;

/// <summary>
/// axe-core (pinned in tools/package.json, installed by tools/install-test-deps.sh) run inside a page. Its file is
/// evaluated through Playwright (DevTools) rather than added as a script tag: the pages allow only their own scripts
/// (<c>script-src 'self'</c>), and evaluating leaves that policy in force, where <c>BypassCSP</c> would check a page
/// that is not quite the one served (a script the policy blocks would run in the test and not for a subscriber).
/// </summary>
public static class Axe
{
    public static string ScriptPath { get; } = Path.Combine(Corpus.RepoRoot, "tools", "node_modules", "axe-core", "axe.min.js");

    private static readonly Lazy<string> Source = new(() =>
    {
        Assert.True(File.Exists(ScriptPath), $"{ScriptPath} is missing: run tools/install-test-deps.sh (npm ci in tools)");
        return File.ReadAllText(ScriptPath);
    });

    private const string Run =
        """
        async () => (await axe.run(document, { resultTypes: ['violations'] })).violations.map(v => ({
          id: v.id, impact: v.impact ?? '', help: v.help,
          targets: v.nodes.map(n => n.target.map(String).join(' ')),
        }))
        """;

    /// <summary>Every rule axe runs by default (WCAG 2.x A and AA, best practices) that the page as it is now breaks.</summary>
    public static async Task<IReadOnlyList<AxeViolation>> ViolationsAsync(IPage page)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            await page.EvaluateAsync(Source.Value);
        }
        var found = await page.EvaluateAsync<JsonElement>(Run);
        return [.. found.EnumerateArray().Select(v => new AxeViolation(
            v.GetProperty("id").GetString()!, v.GetProperty("impact").GetString()!, v.GetProperty("help").GetString()!,
            [.. v.GetProperty("targets").EnumerateArray().Select(t => t.GetString()!)]))];
    }
}

public sealed record AxeViolation(string Id, string Impact, string Help, IReadOnlyList<string> Targets)
{
    public bool IsSeriousOrCritical => Impact is "serious" or "critical";

    public override string ToString() => $"{Id} ({Impact}): {Help} at {string.Join(", ", Targets)}";
}
