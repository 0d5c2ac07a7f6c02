using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Common;
using Newsletter.Hosting;

namespace Newsletter.Bench;

/// <summary>
/// Load check of `serve` over loopback: many clients posting the subscribe form (each with its own cookie and
/// anti-forgery token, as browsers do), then admins listing subscribers, for a bounded time each. Counts every
/// answer that is not the expected one as an error, and checks afterwards that every accepted subscription is stored.
/// </summary>
public static partial class WebLoadBench
{
    private const string AdminKey = "bench-admin-key-0123456789abcdef";

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0]) : 10;
        var clients = args.Length > 1 ? int.Parse(args[1]) : 16;
        var dir = Directory.CreateTempSubdirectory("newsletter-web-bench-");
        var port = FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var database = Path.Combine(dir.FullName, "bench.db");
        string[] settings =
        [
            $"--Database:ConnectionString=Data Source={database}", $"--Site:BaseUrl={baseUrl}", "--Site:SigningKey=bench-signing-key-0123456789abcdef0123",
            "--Site:SubscribeRequestsPerMinute=0", $"--Admin:ApiKeys:0={AdminKey}", "--Schedule:Enabled=false", "--Smtp:Host=",
            $"--Smtp:PickupFolder={Path.Combine(dir.FullName, "outbox")}", "--Logging:LogLevel:Default=Warning",
        ];
        var web = WebHost.Build(ConfigSwitches.Extract(settings), [baseUrl]);
        await web.Services.PrepareAsync(migrate: true, CancellationToken.None);
        await web.StartAsync();
        try
        {
            Console.WriteLine($"Web load check: {clients} concurrent clients over loopback, {seconds} s per endpoint; {BenchSupport.Machine()}");
            Console.WriteLine();
            Console.WriteLine("| endpoint | clients | requests | requests/s | p50 | p99 | max | errors |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            var subscribe = await LoadAsync(baseUrl, clients, TimeSpan.FromSeconds(seconds), SubscribeClientAsync);
            Print("POST /subscribe (form + anti-forgery, confirmation email to the pickup folder)", clients, subscribe);
            var list = await LoadAsync(baseUrl, clients, TimeSpan.FromSeconds(seconds), AdminListClientAsync(""));
            Print("GET /admin/api/subscribers?pageSize=50 (bearer key)", clients, list);
            // the console's subscriber table runs this same query: measured again at the size the issue names
            var imported = await ImportAsync(web.Services, 100_000);
            var large = await LoadAsync(baseUrl, clients, TimeSpan.FromSeconds(seconds), AdminListClientAsync("&status=active"));
            Print($"GET /admin/api/subscribers?status=active&pageSize=50, {imported:N0} more subscribers", clients, large);
            var search = await LoadAsync(baseUrl, clients, TimeSpan.FromSeconds(seconds), AdminListClientAsync("&search=graph"));
            Print($"GET /admin/api/subscribers?search=graph&pageSize=50 (email or keyword), {imported:N0} more subscribers", clients, search);
            await using var connection = new SqliteConnection($"Data Source={database}");
            var stored = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM subscribers WHERE email NOT LIKE 'reader%'");
            Console.WriteLine();
            Console.WriteLine($"Accepted subscriptions: {subscribe.Ok}; subscribers stored: {stored}; lost: {subscribe.Ok - stored}.");
            return subscribe.Errors + list.Errors + large.Errors + search.Errors == 0 && stored == subscribe.Ok ? 0 : 1;
        }
        finally
        {
            await web.StopAsync();
            await web.DisposeAsync();
            SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }

    private static async Task<LoadResult> LoadAsync(string baseUrl, int clients, TimeSpan duration, Func<string, int, CancellationToken, ConcurrentBag<double>, Task<(int Ok, int Errors)>> client)
    {
        using var stop = new CancellationTokenSource(duration);
        var latencies = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(() => client(baseUrl, i, stop.Token, latencies))));
        var elapsed = clock.Elapsed.TotalSeconds;
        var sorted = latencies.Order().ToArray();
        return new LoadResult(results.Sum(r => r.Ok), results.Sum(r => r.Errors), elapsed, sorted);
    }

    private static async Task<(int Ok, int Errors)> SubscribeClientAsync(string baseUrl, int client, CancellationToken stop, ConcurrentBag<double> latencies)
    {
        using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(baseUrl) };
        var form = await http.GetStringAsync("/subscribe");
        var token = AntiforgeryField().Match(form);
        var (ok, errors, n) = (0, 0, 0);
        while (!stop.IsCancellationRequested)
        {
            using var content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                [token.Groups[1].Value] = WebUtility.HtmlDecode(token.Groups[2].Value),
                ["email"] = $"load-{client}-{n++}@example.org",
                ["keywords"] = "reinforcement learning\n\"diffusion model\" OR LoRA\nRLHF NOT survey",
                ["sendHour"] = "8",
                ["timeZone"] = "Europe/Berlin",
                ["maxPapers"] = "10",
            });
            var start = Stopwatch.GetTimestamp();
            using var response = await http.PostAsync("/subscribe", content, CancellationToken.None);
            var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (response.StatusCode == HttpStatusCode.OK && body.Contains("Check your inbox", StringComparison.Ordinal))
            {
                ok++;
            }
            else
            {
                errors++;
            }
        }
        return (ok, errors);
    }

    private static async Task<int> ImportAsync(IServiceProvider services, int count)
    {
        string[] topics = ["reinforcement learning", "graph neural networks", "diffusion AND video", "quantization", "speech recognition"];
        var rows = Enumerable.Range(0, count).Select(i => new Newsletter.Subscribers.ImportRow(
            i + 2, $"reader{i:D7}@example.org", null, null, [topics[i % topics.Length]], [], null, null, null, null, null)).ToList();
        var report = await services.GetRequiredService<Newsletter.Subscribers.SubscriberImport>().ImportAsync(rows, confirmed: true, dryRun: false, CancellationToken.None);
        return report.Added;
    }

    private static Func<string, int, CancellationToken, ConcurrentBag<double>, Task<(int Ok, int Errors)>> AdminListClientAsync(string filter) =>
        (baseUrl, client, stop, latencies) => AdminListClientAsync(baseUrl, filter, stop, latencies);

    private static async Task<(int Ok, int Errors)> AdminListClientAsync(string baseUrl, string filter, CancellationToken stop, ConcurrentBag<double> latencies)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var (ok, errors, n) = (0, 0, 0);
        while (!stop.IsCancellationRequested)
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync($"/admin/api/subscribers?pageSize=50&page={1 + n++ % 20}{filter}", CancellationToken.None);
            await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                ok++;
            }
            else
            {
                errors++;
            }
        }
        return (ok, errors);
    }

    private static void Print(string what, int clients, LoadResult r) =>
        Console.WriteLine($"| {what} | {clients} | {r.Ok + r.Errors:N0} | {(r.Ok + r.Errors) / r.Seconds:N0} | {Percentile(r.Latencies, 0.50):N1} ms | " +
                          $"{Percentile(r.Latencies, 0.99):N1} ms | {(r.Latencies.Length == 0 ? 0 : r.Latencies[^1]):N1} ms | {r.Errors} |");

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record LoadResult(int Ok, int Errors, double Seconds, double[] Latencies);

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\">")]
    private static partial Regex AntiforgeryField();
}
