using System.Globalization;

namespace Newsletter.Bench;

/// <summary>
/// The key figures of a run of the whole suite, each beside its target and, where one was measured in the same
/// run, beside the naive way as a ratio; `all` writes them at the top of bench/results.md.
/// </summary>
public static class BenchReport
{
    private static readonly List<KeyFigure> Figures = [];

    public static IReadOnlyList<KeyFigure> All => Figures;

    /// <param name="met">Whether the target is met; null when the figure has no target.</param>
    /// <param name="naive">The naive way's figure, measured in the same run.</param>
    /// <param name="ratio">How many times better than the naive way.</param>
    public static void Key(string area, string figure, string measured, string target = "", bool? met = null, string naive = "", double? ratio = null) =>
        Figures.Add(new KeyFigure(area, figure, measured, target, met, naive, ratio));

    public static string Table()
    {
        var lines = new List<string>
        {
            "| area | figure | measured | target | met | naive way, same run | × naive |",
            "|---|---|---|---|---|---|---|",
        };
        lines.AddRange(Figures.Select(f =>
            $"| {f.Area} | {f.Figure} | {f.Measured} | {f.Target} | {f.Met switch { true => "yes", false => "**no**", null => "" }} | {f.Naive} | " +
            $"{(f.Ratio is { } r ? r.ToString(r >= 10 ? "0" : "0.0", CultureInfo.InvariantCulture) + "×" : "")} |"));
        return string.Join('\n', lines);
    }
}

public sealed record KeyFigure(string Area, string Figure, string Measured, string Target, bool? Met, string Naive, double? Ratio);

/// <summary>Writes to the console and keeps a copy, so `all` can put each suite's full table in the results file.</summary>
public sealed class TeeWriter(TextWriter console) : TextWriter
{
    private readonly System.Text.StringBuilder _copy = new();

    public override System.Text.Encoding Encoding => console.Encoding;

    public override void Write(char value)
    {
        console.Write(value);
        _copy.Append(value);
    }

    public override void Write(string? value)
    {
        console.Write(value);
        _copy.Append(value);
    }

    public override void WriteLine(string? value)
    {
        console.WriteLine(value);
        _copy.Append(value).Append('\n');
    }

    public override void Flush() => console.Flush();

    public string Copy() => _copy.ToString();
}
