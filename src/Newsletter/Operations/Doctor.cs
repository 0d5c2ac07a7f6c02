using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using Newsletter.Admin;
using Newsletter.Common;
using Newsletter.Data;
using Newsletter.Delivery;
using Newsletter.Digests;
using Newsletter.Scheduling;
using Newsletter.Papers;
using Newsletter.Sources;
using Newsletter.Subscribers;

namespace Newsletter.Operations;

public enum FindingStatus
{
    Ok,
    Warning,
    Failed,
    Skipped,
}

/// <summary>One check's verdict, in words an admin can act on: what is wrong, and what to do about it.</summary>
public sealed record Finding(string Check, FindingStatus Status, string Message, string? Fix = null);

/// <summary>
/// Checks a setup the way the service would use it (configuration, database, migrations, templates, mail server,
/// listing source) without changing anything, and reports every problem at once instead of stopping at the first.
/// A check whose settings are wrong is skipped rather than reported twice.
/// </summary>
/// <param name="buildHost">Builds the application's host with these services added (the composition root's to give).</param>
public sealed class Doctor(Func<Action<IServiceCollection>?, IHost> buildHost, TimeProvider clock)
{
    /// <summary>Published TXT records to compare the DKIM key and the sender's records with (doctor --dns-file).</summary>
    public string? DnsFile { get; init; }

    public async Task<IReadOnlyList<Finding>> ExamineAsync(bool checkSource, CancellationToken cancellationToken)
    {
        var findings = new List<Finding>();
        IHost host;
        try
        {
            host = buildHost(services => services.AddAdminApi());
        }
        catch (Exception e) when (e is ConfigurationError or InvalidDataException)
        {
            var message = e is InvalidDataException ? $"the configuration file is not valid JSON: {e.InnerException?.Message ?? e.Message}" : e.Message;
            findings.Add(new Finding("config", FindingStatus.Failed, message, "Correct the configuration file, then run `newsletter doctor` again."));
            return findings;
        }
        using (host)
        {
            var services = host.Services;
            var home = services.GetRequiredService<NewsletterHome>();
            var broken = ConfigFindings(services, home, findings);

            var database = broken.Contains(DatabaseOptions.Section) ? null : services.GetRequiredService<Database>();
            var databaseReady = database is not null && await CheckDatabaseAsync(database, findings, cancellationToken);
            if (database is null)
            {
                findings.Add(new Finding("database", FindingStatus.Skipped, "skipped: the Database settings are wrong (see config)."));
            }
            if (databaseReady)
            {
                await CheckMigrationsAsync(services.GetRequiredService<Migrator>(), findings, cancellationToken);
            }
            else
            {
                findings.Add(new Finding("migrations", FindingStatus.Skipped, "skipped: no database to read (see database)."));
            }

            findings.Add(CheckTemplates(services));

            if (broken.Contains(SmtpOptions.Section))
            {
                findings.Add(new Finding("smtp", FindingStatus.Skipped, "skipped: the Smtp settings are wrong (see config)."));
            }
            else
            {
                findings.Add(await CheckMailAsync(services, home, cancellationToken));
            }
            findings.AddRange(GoingLiveChecks.Examine(services, broken));
            findings.AddRange(databaseReady ? await ReturnRateChecks.ExamineAsync(services, clock, cancellationToken) : []);
            findings.AddRange(DnsRecords.Examine(services, broken, DnsFile));

            if (!checkSource)
            {
                findings.Add(new Finding("source", FindingStatus.Skipped, "skipped (--offline)."));
            }
            else if (broken.Contains(SourcesOptions.Section))
            {
                findings.Add(new Finding("source", FindingStatus.Skipped, "skipped: the Sources settings are wrong (see config)."));
            }
            else
            {
                var sources = services.GetRequiredService<IOptions<SourcesOptions>>().Value;
                var feeds = sources.EffectiveFeeds();
                for (var i = 0; i < feeds.Count; i++)
                {
                    if (feeds[i].Kind == FeedKinds.Arxiv)
                    {
                        await services.GetRequiredService<ArxivPacing>().WaitTurnAsync(cancellationToken); // arXiv's 3 seconds between requests
                    }
                    findings.Add(await CheckSourceAsync(sources, feeds[i], sources.Feeds.Count == 0 ? null : i, cancellationToken));
                }
            }
            if (databaseReady && !broken.Contains(SourcesOptions.Section))
            {
                findings.AddRange(await SourceFailuresAsync(services.GetRequiredService<PaperStore>(), cancellationToken));
            }
        }
        return findings;
    }

    /// <summary>Reads every settings section on its own, so one wrong value does not hide the others.</summary>
    private static HashSet<string> ConfigFindings(IServiceProvider services, NewsletterHome home, List<Finding> findings)
    {
        var problems = new List<string>();
        var broken = new HashSet<string>(StringComparer.Ordinal);
        void Read<T>(string section) where T : class
        {
            try
            {
                _ = services.GetRequiredService<IOptions<T>>().Value;
            }
            catch (OptionsValidationException e)
            {
                broken.Add(section);
                problems.AddRange(e.Failures);
            }
            catch (InvalidOperationException e) when (e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
            {
                broken.Add(section);
                problems.Add(e.Message.Replace("Failed to convert", "cannot read", StringComparison.Ordinal));
            }
        }
        Read<DatabaseOptions>(DatabaseOptions.Section);
        Read<SourcesOptions>(SourcesOptions.Section);
        Read<SmtpOptions>(SmtpOptions.Section);
        Read<DkimOptions>(DkimOptions.Section);
        Read<DeliveryOptions>(DeliveryOptions.Section);
        Read<SiteOptions>(SiteOptions.Section);
        Read<ScheduleOptions>(ScheduleOptions.Section);
        Read<SendTimeDefaults>(SendTimeDefaults.Section);
        Read<TemplateOptions>(TemplateOptions.Section);
        Read<AdminOptions>(AdminOptions.Section);
        Read<Inbound.InboundOptions>(Inbound.InboundOptions.Section);

        var source = File.Exists(home.ConfigFile) ? home.ConfigFile : $"the defaults ({home.ConfigFile} does not exist)";
        findings.Add(problems.Count == 0
            ? new Finding("config", FindingStatus.Ok, $"settings from {source} are valid")
            : new Finding("config", FindingStatus.Failed, string.Join(Environment.NewLine, problems),
                $"Correct the setting in {home.ConfigFile}, or override it as NEWSLETTER__Section__Key in the environment or --Section:Key=value."));
        var admin = services.GetRequiredService<IConfiguration>().GetSection($"{AdminOptions.Section}:ApiKeys").GetChildren().Any();
        if (!broken.Contains(AdminOptions.Section) && !admin)
        {
            findings.Add(new Finding("config", FindingStatus.Warning, "Admin:ApiKeys is empty: the admin API answers 401 to every request.",
                "Add a key of at least 24 characters to Admin:ApiKeys (e.g. `openssl rand -hex 24`) if you use the admin API."));
        }
        return broken;
    }

    private static async Task<bool> CheckDatabaseAsync(Database database, List<Finding> findings, CancellationToken cancellationToken)
    {
        if (database.FilePath is { } path && !File.Exists(path))
        {
            findings.Add(new Finding("database", FindingStatus.Warning, $"the database file {path} does not exist yet.",
                "Run `newsletter db migrate` to create it (serve and every command also create it on first use). If it should exist, check Database:ConnectionString."));
            return false;
        }
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await connection.ExecuteScalarAsync<long>("SELECT 1");
            findings.Add(new Finding("database", FindingStatus.Ok, $"{database.Description} answers"));
            return true;
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or System.Net.Sockets.SocketException or TimeoutException)
        {
            findings.Add(new Finding("database", FindingStatus.Failed, $"{database.Description} cannot be opened: {e.Message}",
                database.Dialect.CannotOpenHint));
            return false;
        }
    }

    private static async Task CheckMigrationsAsync(Migrator migrator, List<Finding> findings, CancellationToken cancellationToken)
    {
        try
        {
            var pending = await migrator.PendingAsync(cancellationToken);
            findings.Add(pending.Count == 0
                ? new Finding("migrations", FindingStatus.Ok, $"all {migrator.Embedded.Count} migrations applied")
                : new Finding("migrations", FindingStatus.Warning,
                    $"{pending.Count} of {migrator.Embedded.Count} migrations not applied yet: {string.Join(", ", pending.Select(m => m.FileName))}",
                    "Run `newsletter db migrate` (serve applies them at start-up)."));
        }
        catch (MigrationException e)
        {
            findings.Add(new Finding("migrations", FindingStatus.Failed, e.Message, "Restore the database from a backup made by the matching version of Newsletter, or run that version."));
        }
    }

    private static Finding CheckTemplates(IServiceProvider services)
    {
        try
        {
            var templates = services.GetRequiredService<TemplateSet>();
            return new Finding("templates", FindingStatus.Ok, $"the templates in {templates.Folder} load and render the sample digest");
        }
        catch (TemplateException e)
        {
            return new Finding("templates", FindingStatus.Failed, e.Message,
                "Correct the template (the message gives line and column), or empty Templates:Folder to use the shipped ones.");
        }
        catch (OptionsValidationException)
        {
            return new Finding("templates", FindingStatus.Skipped, "skipped: the Templates settings are wrong (see config).");
        }
    }

    private static async Task<Finding> CheckMailAsync(IServiceProvider services, NewsletterHome home, CancellationToken cancellationToken)
    {
        var smtp = services.GetRequiredService<IOptions<SmtpOptions>>().Value;
        var problem = await services.GetRequiredService<IMailTransport>().CheckAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            return problem is null
                ? new Finding("smtp", FindingStatus.Warning, $"Smtp:Host is empty: digests are written as .eml files to {home.Resolve(smtp.PickupFolder)}, not sent.",
                    "Set Smtp:Host (and Port, Security, UserName, Password) to send real mail.")
                : new Finding("smtp", FindingStatus.Failed, problem, "Make Smtp:PickupFolder a folder this user can write, or set Smtp:Host.");
        }
        return problem is null
            ? new Finding("smtp", FindingStatus.Ok, $"{smtp.Host}:{smtp.Port} greets{(string.IsNullOrEmpty(smtp.UserName) ? "" : $" and accepts the login for {smtp.UserName}")}")
            : new Finding("smtp", FindingStatus.Failed, problem,
                $"Check that the mail server runs and accepts connections from this machine, and Smtp:Host, Smtp:Port ({smtp.Port}), Smtp:Security ({smtp.Security}) and the login.");
    }

    /// <summary>Sources that failed in the last 7 days for a listing day they were not fetched for since (the days went on without them).</summary>
    private async Task<IEnumerable<Finding>> SourceFailuresAsync(PaperStore papers, CancellationToken cancellationToken)
    {
        IReadOnlyList<SourceFailure> failures;
        try
        {
            failures = await papers.SourceFailuresSinceAsync(clock.GetUtcNow().AddDays(-7), cancellationToken);
        }
        catch (System.Data.Common.DbException)
        {
            return []; // not migrated yet: the migrations check says so
        }
        return failures.Select(f => new Finding("source failures", FindingStatus.Warning, $"{f.Source} failed for {f.Day}: {f.Error}",
            $"Fix the cause, then `newsletter ingest --date {f.Day} --source {f.Source}` fetches it again."));
    }

    /// <summary>
    /// Fetches the latest listing (yesterday's, or the last day before it the source publishes on) once (no retries:
    /// the question is whether it works now) and parses it.
    /// </summary>
    /// <param name="index">The source's place in Sources:Feeds; null for the one Sources:DailyUrl.</param>
    private async Task<Finding> CheckSourceAsync(SourcesOptions sources, Feed feed, int? index, CancellationToken cancellationToken)
    {
        var day = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(-1);
        while (!feed.PublishesOn(day))
        {
            day = day.AddDays(-1);
        }
        var url = feed.UrlFor(day);
        var setting = index is { } i ? $"{SourcesOptions.Section}:Feeds:{i}:Url" : $"{SourcesOptions.Section}:DailyUrl";
        var name = index is null ? "" : $"{feed.Name}: ";
        var fix = $"Check {setting}, this machine's internet access (proxy, firewall, DNS), and whether the site is up.";
        // the listing fetcher's body reader, so the answer is read no further than Sources:MaxListingBytes
        using var http = new HttpClient(new ListingBodyHandler(Options.Create(sources)) { InnerHandler = new SocketsHttpHandler() })
        {
            Timeout = TimeSpan.FromSeconds(Math.Clamp(sources.RequestTimeoutSeconds, 1, 15)),
        };
        http.DefaultRequestHeaders.UserAgent.ParseAdd(sources.UserAgent);
        try
        {
            using var response = await http.GetAsync(url, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return new Finding("source", FindingStatus.Failed, $"{name}{url} answered {(int)response.StatusCode} {response.ReasonPhrase}", fix);
            }
            var content = await response.Content.ReadAsStringAsync(cancellationToken);
            var listing = ListingParser.Parse(content, url);
            return new Finding("source", FindingStatus.Ok, $"{name}{url} answers: {listing.Papers.Count} papers ({listing.Format.Name()})");
        }
        catch (ListingException e)
        {
            return new Finding("source", FindingStatus.Failed, $"{name}{url} answers, but not with a listing: {e.Message}",
                index is null ? "Check that Sources:DailyUrl points at the daily papers API or page." : $"Check that {setting} points at a listing of kind {feed.Kind}.");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            var reason = e is TaskCanceledException && !cancellationToken.IsCancellationRequested ? $"no answer in {http.Timeout.TotalSeconds:0} s" : e.Message;
            return new Finding("source", FindingStatus.Failed, $"{name}{url} is not reachable: {reason}", fix);
        }
    }
}
