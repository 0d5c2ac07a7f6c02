using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Newsletter.Common;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Web;

/// <summary>
/// Link tokens are the only proof on /confirm, /preferences and the one-click unsubscribe: a token must work for
/// exactly the subscriber, secret, purpose and key it was made with, until it expires, and no edit of it may work.
/// Tokens arrive from the address bar, so checking anything at all must answer, never throw.
/// </summary>
public sealed class LinkTokenProperties
{
    private static readonly DateTimeOffset Start = new(2026, 3, 11, 8, 0, 0, TimeSpan.Zero);

    private const int ConfirmLinkDays = 7;
    private const int ManageLinkDays = 90;

    /// <summary>A signer as the site builds one; the key is always given, so nothing is generated into the home.</summary>
    private static LinkSigner Signer(string key, TimeProvider clock)
    {
        var site = new SiteOptions { BaseUrl = "https://digest.example.org", ConfirmLinkDays = ConfirmLinkDays, ManageLinkDays = ManageLinkDays, SigningKey = key };
        return new LinkSigner(Options.Create(site), new NewsletterHome(Corpus.RepoRoot, ""), clock);
    }

    /// <summary>Ids as the application makes them (16 hex digits) and as tests and demos name them.</summary>
    private static Gen<string> IdGen => Gen.Frequency(
        (3, Gen.Choose(0, 255).ArrayOf(8).Select(b => Convert.ToHexStringLower([.. b.Select(x => (byte)x)]))),
        (1, Gen.Elements("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_".ToCharArray()).NonEmptyListOf().Select(c => new string([.. c]))));

    /// <summary>
    /// Secrets and keys: generated Base64 in practice, any text in principle (a key is typed into settings), but for
    /// lone surrogates, which UTF-8 turns into U+FFFD alike, so two keys of them would be one key.
    /// </summary>
    private static Gen<string> SecretGen => Gen.Frequency(
        (3, Gen.Choose(0, 255).ArrayOf(24).Select(b => Convert.ToBase64String([.. b.Select(x => (byte)x)]))),
        (1, HostileText.Text(loneSurrogates: false, veryLong: false).Where(s => s.Length > 0)));

    private static Gen<string> KeyGen => SecretGen.Select(s => s.Length >= 32 ? s : s + new string('k', 32 - s.Length));

    private static Gen<LinkPurpose> PurposeGen => Gen.Elements(Enum.GetValues<LinkPurpose>());

    private sealed record Link(string Id, string Secret, string Key, LinkPurpose Purpose)
    {
        /// <summary>What a link to one digest names (its day and sequence); other links name nothing.</summary>
        public string? Subject => Purpose == LinkPurpose.Digest ? LinkSigner.DigestSubject(new DateOnly(2026, 3, 11), 2) : null;
    }

    private static Arbitrary<Link> Links => (
        from id in IdGen
        from secret in SecretGen
        from key in KeyGen
        from purpose in PurposeGen
        select new Link(id, secret, key, purpose)).ToArbitrary();

    [Property(MaxTest = 1_000)]
    public Property A_signed_token_checks_valid_and_names_its_subscriber() => Prop.ForAll(Links, link =>
    {
        var signer = Signer(link.Key, new FakeTimeProvider(Start));

        var token = signer.Sign(link.Id, link.Secret, link.Purpose, link.Subject);

        Assert.Equal(LinkCheck.Valid, signer.Check(token, link.Secret, link.Purpose, out var subject));
        Assert.Equal(link.Subject, subject);
        Assert.Equal(link.Id, LinkSigner.SubscriberIdOf(token));
    });

    [Fact]
    public void A_digest_link_names_its_day_and_sequence_and_a_feed_link_is_the_same_every_time()
    {
        var clock = new FakeTimeProvider(Start);
        var signer = Signer(new string('k', 32), clock);
        var digest = signer.Sign("sub1", "secret", LinkPurpose.Digest, LinkSigner.DigestSubject(new DateOnly(2026, 3, 9), 1));
        var feed = signer.Sign("sub1", "secret", LinkPurpose.Feed);
        clock.Advance(TimeSpan.FromDays(3650));

        Assert.Equal(LinkCheck.Valid, signer.Check(feed, "secret", LinkPurpose.Feed));
        Assert.Equal(feed, signer.Sign("sub1", "secret", LinkPurpose.Feed));
        Assert.Equal(LinkCheck.Expired, signer.Check(digest, "secret", LinkPurpose.Digest));
        Assert.Equal((new DateOnly(2026, 3, 9), 1), LinkSigner.ParseDigestSubject(digest.Split('.')[2]));
        Assert.Null(LinkSigner.ParseDigestSubject("2026-03-09"));
        Assert.Throws<ArgumentException>(() => signer.Sign("sub1", "secret", LinkPurpose.Digest, "a.b"));
    }

    [Property(MaxTest = 1_000)]
    public Property No_edit_of_a_token_checks_valid() => Prop.ForAll(
        Links,
        Gen.Choose(0, 1_000).ToArbitrary(),
        HostileText.Arbitrary(HostileText.Text(veryLong: false).Where(s => s.Length > 0)),
        (link, at, inserted) =>
        {
            var signer = Signer(link.Key, new FakeTimeProvider(Start));
            var token = signer.Sign(link.Id, link.Secret, link.Purpose, link.Subject);
            var i = at % token.Length;
            var replacement = inserted[0] == token[i] ? (char)(token[i] ^ 1) : inserted[0];

            var edits = new[]
            {
                token[..i] + replacement + token[(i + 1)..],     // one character changed
                token[..i] + token[(i + 1)..],                   // one character dropped
                token[..i],                                      // cut short
                token + inserted,                                // something appended
                token[..i] + inserted + token[i..],              // something inserted
                token.ToUpperInvariant() == token ? token.ToLowerInvariant() : token.ToUpperInvariant(),
            };
            foreach (var edit in edits.Where(e => e != token))
            {
                Assert.NotEqual(LinkCheck.Valid, signer.Check(edit, link.Secret, link.Purpose));
            }
        });

    [Property(MaxTest = 1_000)]
    public Property A_token_is_valid_for_no_other_purpose_secret_or_key() => Prop.ForAll(Links, Links, (link, other) =>
    {
        var clock = new FakeTimeProvider(Start);
        var token = Signer(link.Key, clock).Sign(link.Id, link.Secret, link.Purpose, link.Subject);

        if (other.Purpose != link.Purpose)
        {
            Assert.NotEqual(LinkCheck.Valid, Signer(link.Key, clock).Check(token, link.Secret, other.Purpose));
        }
        if (other.Secret != link.Secret)
        {
            Assert.NotEqual(LinkCheck.Valid, Signer(link.Key, clock).Check(token, other.Secret, link.Purpose));
        }
        if (other.Key != link.Key)
        {
            Assert.NotEqual(LinkCheck.Valid, Signer(other.Key, clock).Check(token, link.Secret, link.Purpose));
        }
    });

    [Property(MaxTest = 1_000)]
    public Property A_token_is_valid_until_its_link_days_are_over_and_expired_after() => Prop.ForAll(
        Links,
        Gen.Choose(1, 400 * 86_400).ToArbitrary(),
        (link, seconds) =>
        {
            var clock = new FakeTimeProvider(Start);
            var signer = Signer(link.Key, clock);
            var token = signer.Sign(link.Id, link.Secret, link.Purpose, link.Subject);
            var lifetime = TimeSpan.FromDays(link.Purpose == LinkPurpose.Confirm ? ConfirmLinkDays : ManageLinkDays);

            clock.Advance(TimeSpan.FromSeconds(seconds));

            // a feed's address is polled for years: it never expires
            var expected = TimeSpan.FromSeconds(seconds) <= lifetime || link.Purpose == LinkPurpose.Feed ? LinkCheck.Valid : LinkCheck.Expired;
            Assert.Equal(expected, signer.Check(token, link.Secret, link.Purpose));
        });

    [Property(MaxTest = 2_000)]
    public Property Checking_any_string_answers_without_throwing() => Prop.ForAll(
        HostileText.Arbitrary(Gen.Frequency(
            (4, HostileText.Text()),
            (2, from parts in HostileText.Text(maxFragments: 4, veryLong: false).ArrayOf(4) select string.Join('.', parts)),
            (1, Gen.Constant<string>(null!)))),
        Links,
        (token, link) =>
        {
            var signer = Signer(link.Key, new FakeTimeProvider(Start));

            var check = signer.Check(token, link.Secret, link.Purpose);
            var id = LinkSigner.SubscriberIdOf(token);

            Assert.True(Enum.IsDefined(check));
            Assert.NotEqual(LinkCheck.Valid, check);
            Assert.True(id is null || (id.Length > 0 && token!.StartsWith(id + ".", StringComparison.Ordinal)));
        });
}
