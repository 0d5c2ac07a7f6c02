using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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

    /// <summary>
    /// Runs a command's body in a host of the whole application and turns a failure into one line and an exit code.
    /// The composition root (Hosting) sets it: a command in a stage knows the stages before it, never the root.
    /// </summary>
    public required Func<Func<IServiceProvider, CancellationToken, Task<int>>, bool, CancellationToken, Task<int>> Runner { get; init; }

    /// <summary>A failure in one line and its exit code, for a command that runs without a host.</summary>
    public required Func<Exception, (int Code, string Message)> Describe { get; init; }

    /// <summary>A host of the whole application with these services added (doctor builds one to examine it).</summary>
    public required Func<Action<IServiceCollection>?, IHost> BuildHost { get; init; }

    /// <param name="migrate">Apply pending migrations first (every command but those that only look at settings).</param>
    public Task<int> RunAsync(Func<IServiceProvider, CancellationToken, Task<int>> body, CancellationToken cancellationToken, bool migrate = true) =>
        Runner(body, migrate, cancellationToken);

    /// <summary>Runs the body of a command that needs no host, turning a failure into one line on stderr and its exit code.</summary>
    public async Task<int> RunWithoutHostAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e)
        {
            var (code, message) = Describe(e);
            await Error.WriteLineAsync(message);
            return code;
        }
    }

    public Task WriteJsonAsync<T>(T value)
    {
        Output.WriteLine(TerminalText.EscapeJson(JsonSerializer.Serialize(value, Json)));
        return Output.FlushAsync();
    }
}
