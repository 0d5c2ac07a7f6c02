using System.Diagnostics;
using Newsletter.Data;
using Newsletter.Matching;
using Newsletter.Subscribers;

namespace Newsletter.Tests.Support;

/// <summary>The real program in a process of its own (to be killed with SIGKILL, or to run beside others).</summary>
public sealed record ProgramProcess(Process Process, Task<string> Stdout, Task<string> Stderr)
{
    public static ProgramProcess Start(params string[] args)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "newsletter.dll");
        var process = Process.Start(new ProcessStartInfo("dotnet", [program, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        return new ProgramProcess(process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
    }

    public async Task<(int Code, string Stdout, string Stderr)> ExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        await Process.WaitForExitAsync(timeout.Token);
        return (Process.ExitCode, await Stdout, await Stderr);
    }

    /// <summary>Active subscribers <c>reader0000@example.org</c>… with one keyword, written straight into the database (the CLI per subscriber is slow).</summary>
    public static async Task AddSubscribersAsync(TestServices services, int count, string keyword, string idPrefix = "node")
    {
        await using var connection = await services.Get<Database>().OpenAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync();
        for (var i = 0; i < count; i++)
        {
            var id = $"{idPrefix}{i:0000}";
            await services.Get<SubscriberStore>().InsertAsync(connection, transaction, new Subscriber
            {
                Id = id, Email = $"reader{i:0000}@example.org", Status = SubscriberStatus.Active, Secret = "secret", CreatedAt = "2026-03-01T00:00:00Z",
            });
            await services.Get<ProfileStore>().SaveAsync(connection, transaction, id, [keyword], [], 5, null, CancellationToken.None);
        }
        await transaction.CommitAsync();
    }
}
