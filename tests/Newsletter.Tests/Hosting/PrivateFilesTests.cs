using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Common;
using Newsletter.Data;
using Newsletter.Delivery;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Hosting;

/// <summary>Secrets and personal data on disk: the owner's only, whatever the process umask lets others read.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // Unix permissions; Windows keeps the folder's ACL
public sealed class PrivateFilesTests : IDisposable
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerFolder = OwnerFile | UnixFileMode.UserExecute;

    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public async Task Signing_key_and_database_are_created_readable_by_the_owner_only()
    {
        var home = new NewsletterHome(_dir.Path, "");
        var signer = new LinkSigner(Options.Create(new SiteOptions { SigningKey = "" }), home, TimeProvider.System);
        await using var database = new Database(Options.Create(new DatabaseOptions { ConnectionString = "Data Source=data/db/newsletter.db" }), home);
        await new Migrator(database, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        await using var open = await database.OpenAsync(CancellationToken.None); // keeps the -wal and -shm files there

        Assert.NotEmpty(signer.Sign("s1", "secret", LinkPurpose.Confirm));
        Assert.Equal(OwnerFolder, Mode(_dir.File("data")));
        Assert.Equal(OwnerFile, Mode(_dir.File("data/signing.key")));
        Assert.Equal(OwnerFolder, Mode(_dir.File("data/db")));
        foreach (var file in new[] { "newsletter.db", "newsletter.db-wal", "newsletter.db-shm" })
        {
            Assert.True(File.Exists(_dir.File($"data/db/{file}")), file);
            Assert.Equal(OwnerFile, Mode(_dir.File($"data/db/{file}")));
        }
    }

    [Fact]
    public async Task Outbox_messages_and_their_folders_are_readable_by_the_owner_only()
    {
        var transport = new PickupFolderTransport(Options.Create(new SmtpOptions { PickupFolder = "data/outbox" }), new NewsletterHome(_dir.Path, ""), TimeProvider.System);
        var message = new MimeMessage { Subject = "digest", Date = new DateTimeOffset(2026, 3, 11, 8, 0, 0, TimeSpan.Zero), MessageId = "digest.1@papers.example.org" };
        message.From.Add(MailboxAddress.Parse("digest@papers.example.org"));
        message.To.Add(MailboxAddress.Parse("ada@example.org"));
        message.Body = new TextPart("plain") { Text = "https://papers.example.org/unsubscribe?token=valid" };
        SendOutcome? outcome = null;

        Assert.Null(await transport.CheckAsync(CancellationToken.None));
        await transport.SendAllAsync(new[] { new OutgoingMail("m1", message) }.ToAsyncEnumerable(), (_, o) => { outcome = o; return Task.CompletedTask; }, CancellationToken.None);

        Assert.Equal(SendStatus.Sent, outcome?.Status);
        Assert.Equal(OwnerFolder, Mode(_dir.File("data")));
        Assert.Equal(OwnerFolder, Mode(_dir.File("data/outbox")));
        Assert.Equal(OwnerFolder, Mode(_dir.File("data/outbox/2026-03-11")));
        var eml = Assert.Single(Directory.GetFiles(_dir.File("data/outbox/2026-03-11")));
        Assert.EndsWith(".eml", eml);
        Assert.Equal(OwnerFile, Mode(eml));
    }

    private static UnixFileMode Mode(string path) => File.GetUnixFileMode(path) & (UnixFileMode)0b111_111_111;
}
