using Newsletter.Cli;
using System.Text.Json;

namespace Newsletter.Tests.Support;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json() => JsonDocument.Parse(Stdout).RootElement;

    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>Runs the real command line in-process against a throwaway database.</summary>
public sealed class TestApp : IDisposable
{
    private readonly TempDirectory _dir = new();

    public TestApp(params string[] settings)
    {
        DatabasePath = _dir.File("newsletter.db");
        Settings = [$"--Database:ConnectionString=Data Source={DatabasePath}", "--Sources:RetryBaseDelayMilliseconds=20", .. settings];
    }

    public string DatabasePath { get; }

    public string[] Settings { get; }

    public TempDirectory Dir => _dir;

    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await NewsletterCli.RunAsync([.. Settings, .. args], stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public void Dispose() => _dir.Dispose();
}
