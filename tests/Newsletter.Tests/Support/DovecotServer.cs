using System.Diagnostics;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;

namespace Newsletter.Tests.Support;

/// <summary>
/// A throwaway Dovecot (Debian's dovecot-imapd and dovecot-pop3d) for this test run: its own configuration, base and
/// state folders and maildirs in a temp folder, IMAP and POP3 on free loopback ports, users in a passwd file each with
/// plaintext logins (loopback only). Started on first use with <c>dovecot -F</c>, never the system's service;
/// stopped by a watchdog when the test process exits. Every test gets a mailbox (a user) of its own.
/// </summary>
public sealed class DovecotServer
{
    private const string Program = "/usr/sbin/dovecot";
    private static readonly Lazy<Task<DovecotServer>> Started = new(StartAsync);
    private static readonly Lock PasswdLock = new();
    private readonly string _passwd;
    private readonly string _owner;
    private int _mailboxes;

    private DovecotServer(string folder, int imapPort, int pop3Port, string owner)
    {
        Folder = folder;
        ImapPort = imapPort;
        Pop3Port = pop3Port;
        _owner = owner;
        _passwd = Path.Combine(folder, "users");
    }

    public string Folder { get; }

    public int ImapPort { get; }

    public int Pop3Port { get; }

    public static bool Installed => File.Exists(Program) && File.Exists("/usr/lib/dovecot/imap") && File.Exists("/usr/lib/dovecot/pop3");

    public static Task<DovecotServer> InstanceAsync() => Started.Value;

    /// <summary>A new empty mailbox: a user of its own with a password of its own.</summary>
    public DovecotMailbox CreateMailbox()
    {
        var user = $"box{Environment.ProcessId}x{Interlocked.Increment(ref _mailboxes)}";
        var password = Guid.NewGuid().ToString("N");
        lock (PasswdLock)
        {
            // a passwd file per user: Dovecot notices a changed file only when its modification second changed, so a
            // user added to a shared one in the same second as the last read would be unknown at first
            File.WriteAllText(Path.Combine(_passwd, user), $"{user}:{{PLAIN}}{password}:{_owner}::{Path.Combine(Folder, "mail", user)}::\n");
        }
        return new DovecotMailbox(this, user, password);
    }

    private static async Task<DovecotServer> StartAsync()
    {
        Assert.True(Installed, $"{Program} (with imap and pop3) is missing: run tools/install-test-deps.sh (apt dovecot-imapd dovecot-pop3d)");
        var folder = Directory.CreateTempSubdirectory("newsletter-dovecot-").FullName;
        // Dovecot would rather not run its mail processes as root: as root, it runs as the package's dovecot user
        var asRoot = Environment.UserName == "root";
        var user = asRoot ? "dovecot" : Environment.UserName;
        var uid = (await OutputAsync("id", ["-u", user])).Trim();
        var gid = (await OutputAsync("id", ["-g", user])).Trim();
        foreach (var sub in new[] { "run", "state", "mail", "users" })
        {
            Directory.CreateDirectory(Path.Combine(folder, sub));
        }
        var (imapPort, pop3Port) = (Ports.Free(), Ports.Free());
        var config = Path.Combine(folder, "dovecot.conf");
        File.WriteAllText(config, Config(folder, user, uid, imapPort, pop3Port));
        if (asRoot)
        {
            await OutputAsync("chown", ["-R", $"{user}:", folder]);
        }
        var start = asRoot
            ? new ProcessStartInfo("runuser", ["-u", user, "--", Program, "-c", config, "-F"])
            : new ProcessStartInfo(Program, ["-c", config, "-F"]);
        start.RedirectStandardInput = true; // pipes of its own, so it holds none of the test run's output open
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        StopWhenThisProcessEnds(folder);
        await WaitUntilListeningAsync(process, stderr, folder, imapPort, pop3Port);
        return new DovecotServer(folder, imapPort, pop3Port, $"{uid}:{gid}");
    }

    /// <summary>
    /// Everything in the temp folder (no chroot: the login processes run as the same user and could not enter one),
    /// plaintext logins without TLS (loopback only), no delay after a refused login: neither the fixed one nor the
    /// growing penalty per client address (its anvil socket is left out), which would slow every later login from
    /// 127.0.0.1 once the wrong-password tests ran.
    /// </summary>
    private static string Config(string folder, string user, string uid, int imapPort, int pop3Port) => $$"""
        protocols = imap pop3
        listen = 127.0.0.1
        base_dir = {{folder}}/run
        state_dir = {{folder}}/state
        instance_name = newsletter-test-{{Environment.ProcessId}}
        log_path = {{folder}}/dovecot.log
        ssl = no
        disable_plaintext_auth = no
        auth_mechanisms = plain login
        auth_failure_delay = 0
        default_login_user = {{user}}
        default_internal_user = {{user}}
        default_internal_group = {{user}}
        first_valid_uid = {{uid}}
        last_valid_uid = 0
        mail_location = maildir:~/Maildir
        mail_max_userip_connections = 100
        pop3_uidl_format = %08Xu%08Xv
        passdb {
          driver = passwd-file
          args = scheme=PLAIN username_format=%u {{folder}}/users/%u
        }
        userdb {
          driver = passwd-file
          args = username_format=%u {{folder}}/users/%u
        }
        service imap-login {
          chroot =
          inet_listener imap {
            address = 127.0.0.1
            port = {{imapPort}}
          }
          inet_listener imaps {
            port = 0
          }
        }
        service pop3-login {
          chroot =
          inet_listener pop3 {
            address = 127.0.0.1
            port = {{pop3Port}}
          }
          inet_listener pop3s {
            port = 0
          }
        }
        service anvil {
          chroot =
          unix_listener anvil-auth-penalty {
            mode = 0
          }
        }
        service stats {
          unix_listener stats-writer {
            mode = 0666
          }
        }
        """;

    private static async Task WaitUntilListeningAsync(Process process, Task<string> stderr, string folder, params int[] ports)
    {
        var deadline = Stopwatch.StartNew();
        foreach (var port in ports)
        {
            while (true)
            {
                if (process.HasExited)
                {
                    var log = Path.Combine(folder, "dovecot.log");
                    Assert.Fail($"dovecot exited ({process.ExitCode}): {await stderr}{(File.Exists(log) ? File.ReadAllText(log) : "")}");
                }
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync("127.0.0.1", port);
                    break;
                }
                catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(30))
                {
                    await Task.Delay(50);
                }
            }
        }
    }

    /// <summary>
    /// The test host is often killed rather than let exit, so an exit handler would not run: a small watchdog outside
    /// it stops Dovecot (its master's pid file) and deletes its folder when this process is gone.
    /// </summary>
    private static void StopWhenThisProcessEnds(string folder)
    {
        var pid = Path.Combine(folder, "run", "master.pid");
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; [ -f '{pid}' ] && kill $(cat '{pid}') 2>/dev/null; sleep 1; rm -rf '{folder}'";
        using var watchdog = Process.Start(new ProcessStartInfo("setsid", ["sh", "-c", script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
    }

    private static async Task<string> OutputAsync(string file, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await stdout}{await stderr}");
        return await stdout;
    }
}

/// <summary>One user's mailbox on the test Dovecot: filled over IMAP (APPEND), read back over IMAP.</summary>
public sealed record DovecotMailbox(DovecotServer Server, string UserName, string Password)
{
    /// <summary>The Inbound settings that point the program at this mailbox.</summary>
    public string[] Settings(string protocol = "imap", string? password = null) =>
    [
        "--Inbound:Host=127.0.0.1", $"--Inbound:Port={(protocol == "pop3" ? Server.Pop3Port : Server.ImapPort)}", "--Inbound:Security=None",
        $"--Inbound:Protocol={protocol}", $"--Inbound:UserName={UserName}", $"--Inbound:Password={password ?? Password}",
    ];

    public async Task AppendAsync(IEnumerable<MimeMessage> messages, string folder = "INBOX")
    {
        using var client = await ConnectAsync();
        var target = folder == "INBOX" ? client.Inbox : await client.GetFolderAsync(folder);
        foreach (var message in messages)
        {
            await target.AppendAsync(message);
        }
        await client.DisconnectAsync(true);
    }

    /// <summary>The Message-IDs in a folder, oldest first (a folder that does not exist holds none).</summary>
    public async Task<IReadOnlyList<string>> MessageIdsAsync(string folder = "INBOX")
    {
        using var client = await ConnectAsync();
        IMailFolder target;
        try
        {
            target = folder == "INBOX" ? client.Inbox : await client.GetFolderAsync(folder);
        }
        catch (FolderNotFoundException)
        {
            return [];
        }
        await target.OpenAsync(FolderAccess.ReadOnly);
        var uids = await target.SearchAsync(SearchQuery.NotDeleted);
        var ids = new List<string>();
        foreach (var summary in (await target.FetchAsync(uids, MessageSummaryItems.Envelope | MessageSummaryItems.UniqueId)).OrderBy(s => s.UniqueId.Id))
        {
            ids.Add(summary.Envelope!.MessageId ?? "");
        }
        await client.DisconnectAsync(true);
        return ids;
    }

    /// <summary>The Message-IDs in a folder that carry an IMAP keyword.</summary>
    public async Task<IReadOnlyList<string>> MessageIdsWithKeywordAsync(string folder, string keyword)
    {
        using var client = await ConnectAsync();
        var target = await client.GetFolderAsync(folder);
        await target.OpenAsync(FolderAccess.ReadOnly);
        var uids = await target.SearchAsync(SearchQuery.HasKeyword(keyword));
        var ids = (await target.FetchAsync(uids, MessageSummaryItems.Envelope)).Select(s => s.Envelope!.MessageId ?? "").ToList();
        await client.DisconnectAsync(true);
        return ids;
    }

    private async Task<ImapClient> ConnectAsync()
    {
        var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", Server.ImapPort, SecureSocketOptions.None);
        await client.AuthenticateAsync(UserName, Password);
        return client;
    }
}
