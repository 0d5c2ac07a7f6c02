using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Newsletter.Tests.Support;

/// <summary>A real maildev (npm, installed by tools/install-test-deps.sh) on free loopback ports, shared by a test collection.</summary>
public sealed class MaildevServer : IAsyncLifetime
{
    private readonly TempDirectory _mailDirectory = new();
    private Process? _process;
    private readonly HttpClient _http = new();

    public int SmtpPort { get; private set; }

    public int WebPort { get; private set; }

    public async Task InitializeAsync()
    {
        var binary = Path.Combine(Corpus.RepoRoot, "tools", "node_modules", ".bin", "maildev");
        Assert.True(File.Exists(binary), $"maildev is not installed at {binary}: run tools/install-test-deps.sh");
        SmtpPort = Ports.Free();
        WebPort = Ports.Free();
        _process = Process.Start(new ProcessStartInfo(binary,
            // A mail folder of its own: by default every maildev shares $TMPDIR/maildev, and one instance's
            // "delete all" removes the files another one still lists (its /source then answers 500).
            ["--smtp", SmtpPort.ToString(), "--web", WebPort.ToString(), "--ip", "127.0.0.1", "--web-ip", "127.0.0.1", "--silent",
             "--mail-directory", _mailDirectory.Path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _http.BaseAddress = new Uri($"http://127.0.0.1:{WebPort}/");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                (await _http.GetAsync("api/email")).EnsureSuccessStatusCode();
                return;
            }
            catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromSeconds(20) && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public async Task<List<ReceivedEmail>> EmailsAsync()
    {
        var json = await _http.GetFromJsonAsync<JsonElement>("api/email");
        return [.. json.EnumerateArray().Select(e => new ReceivedEmail(
            e.GetProperty("to").EnumerateArray().Select(t => t.GetProperty("address").GetString()!).ToList(),
            e.GetProperty("subject").GetString() ?? "",
            e.GetProperty("headers").EnumerateObject().ToDictionary(h => h.Name, h => h.Value.ValueKind == JsonValueKind.String ? h.Value.GetString()! : h.Value.GetRawText()),
            e.TryGetProperty("html", out var html) && html.ValueKind == JsonValueKind.String ? html.GetString()! : "",
            e.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString()! : "",
            e.GetProperty("id").GetString()!))];
    }

    /// <summary>The raw message as received (for the MIME structure).</summary>
    public Task<string> SourceAsync(string id) => _http.GetStringAsync($"api/email/{id}/source");

    /// <summary>The message's bytes as maildev stored them from the SMTP session, undecoded (what a DKIM verifier must see).</summary>
    public Task<byte[]> RawAsync(string id) => _http.GetByteArrayAsync($"api/email/{id}/source");

    public Task ClearAsync() => _http.DeleteAsync("api/email/all");

    /// <summary>Waits until at least <paramref name="count"/> emails arrived (maildev stores asynchronously).</summary>
    public async Task<List<ReceivedEmail>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var emails = await EmailsAsync();
            if (emails.Count >= count || clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(15)))
            {
                return emails;
            }
            await Task.Delay(50);
        }
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process?.Dispose();
        _http.Dispose();
        _mailDirectory.Dispose();
        return Task.CompletedTask;
    }
}

public sealed record ReceivedEmail(List<string> To, string Subject, Dictionary<string, string> Headers, string Html, string Text, string Id);

[CollectionDefinition(nameof(MaildevCollection))]
public sealed class MaildevCollection : ICollectionFixture<MaildevServer>;
