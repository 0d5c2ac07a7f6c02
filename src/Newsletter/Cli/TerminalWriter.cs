using System.Text;

namespace Newsletter.Cli;

/// <summary>
/// Passes everything written through <see cref="TerminalText.Clean"/> to the writer underneath, so no printer can
/// forget it. Spectre.Console gets the writer underneath instead: its own escape sequences are the point, and the
/// text it is given is cleaned first.
/// </summary>
public sealed class TerminalWriter(TextWriter inner) : TextWriter(inner.FormatProvider)
{
    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    // a lone character cannot be judged with what follows it (a carriage return before a newline), so a control is dropped
    public override void Write(char value)
    {
        if (TerminalText.IsClean([value]))
        {
            inner.Write(value);
        }
    }

    public override void Write(string? value) => inner.Write(Clean(value));

    public override void Write(char[] buffer, int index, int count) => inner.Write(TerminalText.Clean(new string(buffer, index, count)));

    public override void Write(ReadOnlySpan<char> buffer) => inner.Write(TerminalText.Clean(buffer.ToString()));

    public override void WriteLine(string? value) => inner.WriteLine(Clean(value));

    public override void WriteLine(ReadOnlySpan<char> buffer) => inner.WriteLine(TerminalText.Clean(buffer.ToString()));

    public override Task WriteAsync(char value) => TerminalText.IsClean([value]) ? inner.WriteAsync(value) : Task.CompletedTask;

    public override Task WriteAsync(string? value) => inner.WriteAsync(Clean(value));

    public override Task WriteAsync(char[] buffer, int index, int count) => inner.WriteAsync(TerminalText.Clean(new string(buffer, index, count)));

    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(TerminalText.Clean(buffer.ToString()).AsMemory(), cancellationToken);

    public override Task WriteLineAsync() => inner.WriteLineAsync();

    public override Task WriteLineAsync(char value) => TerminalText.IsClean([value]) ? inner.WriteLineAsync(value) : inner.WriteLineAsync();

    public override Task WriteLineAsync(string? value) => inner.WriteLineAsync(Clean(value));

    public override Task WriteLineAsync(char[] buffer, int index, int count) => inner.WriteLineAsync(TerminalText.Clean(new string(buffer, index, count)));

    public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteLineAsync(TerminalText.Clean(buffer.ToString()).AsMemory(), cancellationToken);

    public override void Flush() => inner.Flush();

    public override Task FlushAsync() => inner.FlushAsync();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    private static string? Clean(string? value) => value is null ? null : TerminalText.Clean(value);
}
