using System.Diagnostics;
using System.Globalization;
using Newsletter.Common;
using Spectre.Console;

namespace Newsletter.Cli;

/// <summary>
/// Shows a command's progress on stderr (stdout carries only results): Spectre.Console bars on a terminal, plain
/// timestamped lines when the output is redirected or --json is given, so logs and CI capture something readable.
/// </summary>
public static class ProgressDisplay
{
    public static Task<T> RunAsync<T>(CliContext context, bool json, Func<WorkProgress, Task<T>> work) =>
        context.Interactive && !json
            ? RunWithBarsAsync(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.RawError) }), work)
            : work(new PlainProgress(context.Error));

    public static Task<T> RunWithBarsAsync<T>(IAnsiConsole console, Func<WorkProgress, Task<T>> work) =>
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(context => work(new BarProgress(context)));

    /// <summary>A summary as a table on a terminal, else as "name: value" lines.</summary>
    public static async Task WriteSummaryAsync(CliContext context, string title, IReadOnlyList<(string Name, string Value)> rows)
    {
        if (context.Interactive)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.RawOutput) });
            var table = new Table { Title = new TableTitle(Text(title)) }.AddColumn("").AddColumn(new TableColumn("").RightAligned()).HideHeaders();
            foreach (var (name, value) in rows)
            {
                table.AddRow(Text(name), Text(value));
            }
            console.Write(table);
            return;
        }
        await context.Output.WriteLineAsync(title);
        foreach (var (name, value) in rows)
        {
            await context.Output.WriteLineAsync($"  {name}: {value}");
        }
    }

    /// <summary>Text for Spectre: it writes to the terminal itself, so controls are stripped here, and [ ] are its markup.</summary>
    private static string Text(string text) => Markup.Escape(TerminalText.Clean(text));

    private sealed class BarProgress(ProgressContext context) : WorkProgress
    {
        public override ProgressPhase Begin(string phase, long? total = null)
        {
            var task = context.AddTask(Text(phase), maxValue: total is > 0 ? total.Value : 1);
            task.IsIndeterminate = total is null;
            return new BarPhase(task, phase);
        }
    }

    private sealed class BarPhase(ProgressTask task, string phase) : ProgressPhase
    {
        private int _done;

        public override void Advance(long by = 1) => task.Increment(by);

        public override void SetTotal(long total)
        {
            task.MaxValue = Math.Max(total, 1);
            task.IsIndeterminate = false;
        }

        public override void Complete(string? summary = null)
        {
            if (Interlocked.Exchange(ref _done, 1) == 1)
            {
                return;
            }
            if (summary is not null)
            {
                task.Description = Text($"{phase}: {summary}");
            }
            task.IsIndeterminate = false;
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }
}

/// <summary>Progress as plain lines: a line when a phase starts, at each tenth of it (or every few seconds when its size is unknown), and when it ends.</summary>
public sealed class PlainProgress(TextWriter output) : WorkProgress
{
    private static readonly TimeSpan QuietFor = TimeSpan.FromSeconds(5);
    private readonly Lock _write = new();

    public override ProgressPhase Begin(string phase, long? total = null)
    {
        Write(total is null ? $"{phase}: started" : $"{phase}: started, {total.Value.ToString("N0", CultureInfo.InvariantCulture)} to do");
        return new Phase(this, phase, total);
    }

    private void Write(string line)
    {
        lock (_write)
        {
            output.WriteLine($"{DateTime.Now:HH:mm:ss} {line}");
            output.Flush();
        }
    }

    private sealed class Phase(PlainProgress owner, string name, long? total) : ProgressPhase
    {
        private readonly long _started = Stopwatch.GetTimestamp();
        private readonly Lock _gate = new();
        private long _done;
        private long? _total = total;
        private int _lastTenth;
        private long _lastLine = Stopwatch.GetTimestamp();
        private bool _complete;

        public override void Advance(long by = 1)
        {
            string? line = null;
            lock (_gate)
            {
                _done += by;
                if (_total is > 0 and var total)
                {
                    var tenth = (int)Math.Min(10, _done * 10 / total);
                    if (tenth > _lastTenth && tenth < 10)
                    {
                        _lastTenth = tenth;
                        line = $"{name}: {_done.ToString("N0", CultureInfo.InvariantCulture)}/{total.ToString("N0", CultureInfo.InvariantCulture)} ({tenth * 10}%)";
                    }
                }
                else if (Stopwatch.GetElapsedTime(_lastLine) > QuietFor)
                {
                    _lastLine = Stopwatch.GetTimestamp();
                    line = $"{name}: {_done.ToString("N0", CultureInfo.InvariantCulture)} so far";
                }
            }
            if (line is not null)
            {
                owner.Write(line);
            }
        }

        public override void SetTotal(long total)
        {
            lock (_gate)
            {
                _total = total;
            }
        }

        public override void Complete(string? summary = null)
        {
            lock (_gate)
            {
                if (_complete)
                {
                    return;
                }
                _complete = true;
            }
            var elapsed = Stopwatch.GetElapsedTime(_started).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
            owner.Write($"{name}: done in {elapsed} s{(summary is null ? "" : $": {summary}")}");
        }
    }
}
