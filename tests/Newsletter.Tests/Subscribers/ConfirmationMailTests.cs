using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Common;
using Newsletter.Digests;
using Newsletter.Subscribers;
using Newsletter.Tests.Digests;
using Newsletter.Tests.Support;

namespace Newsletter.Tests.Subscribers;

public sealed class ConfirmationMailTests
{
    private static MimeMessage Compose(params string[] keywords) => Compose(new Subscriber { Id = "sub-carol-0001", Email = "carol@example.org", Name = "Carol", Secret = "carol-secret" }, keywords);

    private static MimeMessage Compose(Subscriber subscriber, params string[] keywords)
    {
        var site = Options.Create(DigestFixtures.Site);
        var clock = new FixedClock(DigestFixtures.Now);
        var mail = new ConfirmationMail(new TemplateSet(DigestFixtures.ShippedTemplates), new LinkSigner(site, new NewsletterHome(Corpus.RepoRoot, ""), clock),
            site, clock, new MailboxAddress("Trending Digest", "digest@example.org"));
        return mail.Compose(subscriber, keywords, "confirm.1@example.org");
    }

    [Fact]
    public void The_confirmation_text_lists_one_keyword_per_line_without_blank_lines_between()
    {
        var text = (Compose("robotics", "\"motion planning\"", "RL AND reward").TextBody ?? "").ReplaceLineEndings("\n");

        Assert.Contains("matching:\n  - robotics\n  - \"motion planning\"\n  - RL AND reward\n\nConfirm:", text);
    }

    [Theory]
    [InlineData(DigestFrequency.Daily, "monday", DeliveryMode.Email, "asked for a daily digest of trending papers")]
    [InlineData(DigestFrequency.Weekdays, "monday", DeliveryMode.Email, "asked for a digest every weekday of trending papers")]
    [InlineData(DigestFrequency.Weekly, "thursday", DeliveryMode.Email, "asked for a weekly digest (on Thursdays) of trending papers")]
    [InlineData(DigestFrequency.Daily, "monday", DeliveryMode.Feed, "asked for a private feed (no email) of trending papers")]
    public void The_confirmation_names_what_was_asked_for_not_always_a_daily_email(string frequency, string weekday, string delivery, string expected)
    {
        // before, a weekly or feed-only subscriber was asked to confirm "a daily digest"
        var message = Compose(new Subscriber { Id = "sub-dan-0001", Email = "dan@example.org", Secret = "s", Frequency = frequency, Weekday = weekday, Delivery = delivery }, "robotics");

        Assert.Contains(expected, (message.TextBody ?? "").ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal));
        Assert.Contains(System.Net.WebUtility.HtmlEncode(expected), message.HtmlBody);
    }

    [Fact]
    public void The_confirmation_text_is_wrapped_and_its_link_stands_on_a_line_of_its_own()
    {
        var text = (Compose("robotics").TextBody ?? "").ReplaceLineEndings("\n");

        Assert.All(text.Split('\n'), line => Assert.True(Columns.Of(line) <= PlainText.Width || !line.Trim().Contains(' '), line));
        Assert.Matches(@"\nConfirm:\nhttps://digest\.example\.org/confirm\?token=\S+\n", text);
    }
}
