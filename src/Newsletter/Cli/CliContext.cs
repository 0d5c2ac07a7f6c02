using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Newsletter.Common;

namespace Newsletter.Cli;

/// <summary>What every command needs besides its own options: where to write, and the setting overrides.</summary>
/// <param name="output">stdout; commands write to <see cref="Output"/>, which strips escape sequences and controls.</param>
/// <param name="error">stderr; commands write to <see cref="Error"/>, likewise.</param>
/// <param name="interactive">Both outputs are a terminal: progress bars and tables instead of plain lines.</param>
public sealed class CliContext(TextWriter output, TextWriter error, ConfigSwitches switches, bool interactive = false)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public TextWriter Output { get; } = new TerminalWriter(output);
    public TextWriter Error { get; } = new TerminalWriter(error);

    /// <summary>stdout itself, for Spectre.Console (whose escape sequences are wanted; give it only cleaned text).</summary>
    public TextWriter RawOutput { get; } = output;

    /// <summary>stderr itself, for Spectre.Console's progress bars.</summary>
    public TextWriter RawError { get; } = error;
    public ConfigSwitches Switches { get; } = switches;

    public bool Interactive { get; } = interactive;

    public Task WriteJsonAsync<T>(T value)
    {
        Output.WriteLine(TerminalText.EscapeJson(JsonSerializer.Serialize(value, Json)));
        return Output.FlushAsync();
    }
}
