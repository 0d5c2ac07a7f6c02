using System.Globalization;
using Microsoft.Extensions.Options;
using MimeKit;
using Newsletter.Common;
using Newsletter.Subscribers;

namespace Newsletter.Digests;

/// <summary>The double opt-in email: what was asked for, and the signed link that activates it.</summary>
public sealed class ConfirmationMail(TemplateSet templates, LinkSigner links, IOptions<SiteOptions> site, TimeProvider clock, MailboxAddress from)
{
    /// <param name="messageId">Fixed when the email was queued, so a copy sent again after a crash is recognisably the same.</param>
    public MimeMessage Compose(Subscriber subscriber, IReadOnlyList<string> keywords, string messageId)
    {
        var model = new ConfirmationModel(
            site.Value.Name,
            site.Value.BaseUrl,
            subscriber.Email,
            string.IsNullOrWhiteSpace(subscriber.Name) ? null : subscriber.Name,
            keywords,
            links.Url("confirm", subscriber.Id, subscriber.Secret, LinkPurpose.Confirm),
            site.Value.ConfirmLinkDays)
        {
            What = WhatIsAskedFor(subscriber),
        };
        // not the parameterless constructor: it generates a Message-ID from the host name, work thrown away as ours is set below
        var message = new MimeMessage((IEnumerable<Header>)[]) { MimeVersion = new Version(1, 0) };
        message.From.Add(new MailboxAddress(from.Name, from.Address)); // a copy: a shared address would keep every message alive (see DigestComposer)
        message.To.Add(new MailboxAddress(model.SubscriberName, subscriber.Email));
        message.Subject = $"Confirm your subscription to {site.Value.Name}";
        message.Date = clock.GetUtcNow();
        message.MessageId = messageId;
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add("X-Auto-Response-Suppress", "All");
        message.Body = new MultipartAlternative
        {
            new TextPart("plain") { Text = templates.Render(TemplateSet.ConfirmText, model) },
            new TextPart("html") { Text = templates.Render(TemplateSet.ConfirmHtml, model) },
        };
        return message;
    }

    /// <summary>The subscription in a few words: a weekly or feed-only subscriber is not told they asked for a daily email.</summary>
    public static string WhatIsAskedFor(Subscriber subscriber) =>
        subscriber.Delivery == DeliveryMode.Feed ? "a private feed (no email)"
        : subscriber.Frequency switch
        {
            DigestFrequency.Weekdays => "a digest every weekday",
            DigestFrequency.Weekly => $"a weekly digest (on {CultureInfo.InvariantCulture.TextInfo.ToTitleCase(subscriber.Weekday)}s)",
            _ => "a daily digest",
        };
}
