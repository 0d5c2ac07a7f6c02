using System.Text;
using System.Text.Json;
using CsvHelper;
using Microsoft.AspNetCore.Http;
using Newsletter.Delivery;
using Newsletter.Subscribers;

namespace Newsletter.Admin;

/// <summary>A request the admin API answers with a problem and the console shows on its page: the status, the field at fault, why.</summary>
public sealed record AdminError(int Status, string Field, string Message);

/// <summary>
/// The changes an admin makes, each with its audit entry, shared by the API's endpoints and the console's forms so
/// that both do exactly the same (and the audit log cannot tell which one was used, except by nothing at all).
/// </summary>
public sealed class AdminActions(
    SubscriberStore subscribers, SubscriptionService subscriptions, ResendRecipients choose, DigestResender resender, IdempotencyKeys keys,
    SubscriberImport import, AuditLog audit)
{
    /// <returns>False when there is no such subscriber.</returns>
    /// <exception cref="Matching.ProfileValidationException">A keyword does not parse.</exception>
    /// <exception cref="SubscriptionException">A setting is not valid.</exception>
    public async Task<bool> UpdateAsync(HttpContext context, string id, UpdateSubscriberRequest body, CancellationToken cancellationToken)
    {
        if (!await subscriptions.UpdateAsync(id, new SubscriptionChange(
                body.Name, body.Keywords, body.Exclude, body.MaxPapers, body.MinScore, body.SendHour, body.TimeZone, body.Paused)
            {
                Delivery = body.Delivery,
                Frequency = body.Frequency,
                Weekday = body.Weekday,
                Focus = SubscriptionService.FocusOf(body.Focus),
            }, cancellationToken))
        {
            return false;
        }
        await audit.WriteAsync(context, "subscribers.update", id, new { fields = ChangedFields(body) }, cancellationToken);
        return true;
    }

    public async Task<bool> SuppressAsync(HttpContext context, string id, string? reason, CancellationToken cancellationToken)
    {
        reason = string.IsNullOrWhiteSpace(reason) ? "suppressed by an admin" : reason.Trim();
        if (!await subscribers.SetStatusAsync(id, SubscriberStatus.Suppressed, reason, cancellationToken))
        {
            return false;
        }
        await audit.WriteAsync(context, "subscribers.suppress", id, new { reason }, cancellationToken);
        return true;
    }

    /// <returns>The deliveries kept (anonymous), or null when there is no such subscriber.</returns>
    public async Task<int?> EraseAsync(HttpContext context, string id, CancellationToken cancellationToken)
    {
        var kept = await subscriptions.EraseAsync(id, cancellationToken);
        if (kept is not null)
        {
            await audit.WriteAsync(context, "subscribers.erase", id, new { deliveriesKept = kept }, cancellationToken);
        }
        return kept;
    }

    /// <summary>
    /// A resend (or its dry run). With an idempotency key, a second request with the same key sends nothing and
    /// gets the first one's answer back (<see cref="ResendOutcome.Replayed"/>).
    /// </summary>
    public async Task<ResendOutcome> ResendAsync(HttpContext context, ResendRequest body, string? key, CancellationToken cancellationToken)
    {
        if (!AdminProblems.TryDate(body.Date, "date", out var date, out _))
        {
            return ResendOutcome.Failed(400, "date", $"'{body.Date}' is not a date in the form YYYY-MM-DD");
        }
        if (date is null)
        {
            return ResendOutcome.Failed(400, "date", "is required (the listing day of the digest, YYYY-MM-DD)");
        }
        var chosen = (body.SubscriberId is null ? 0 : 1) + (body.Email is null ? 0 : 1) + (body.Filter is null ? 0 : 1);
        if (chosen != 1)
        {
            return ResendOutcome.Failed(400, "subscriberId", "give exactly one of subscriberId, email or filter");
        }
        if (!body.DryRun && !string.IsNullOrWhiteSpace(key))
        {
            var earlier = await keys.TakeAsync(key, cancellationToken);
            if (earlier == "")
            {
                return ResendOutcome.Failed(409, "", $"A resend with the {IdempotencyKeys.Header} '{key}' is still running.");
            }
            if (earlier is not null)
            {
                return new ResendOutcome(JsonSerializer.Deserialize<ResendResponse>(earlier, AdminJson.Options), earlier, null);
            }
        }
        try
        {
            var (recipients, problem) = await RecipientsAsync(body, date.Value, cancellationToken);
            if (problem is not null)
            {
                await ReleaseAsync(key, body.DryRun);
                return new ResendOutcome(null, null, problem);
            }
            var report = await resender.ResendAsync(recipients, date.Value, body.DryRun, cancellationToken);
            var answer = new ResendResponse(report.Date.ToString("yyyy-MM-dd"), report.DryRun, report.Recipients.Count, report.Sent, report.Failed, report.Skipped,
                report.WouldSend, report.Recipients);
            if (!body.DryRun)
            {
                await audit.WriteAsync(context, "digests.resend", body.SubscriberId ?? (body.Filter is null ? recipients.FirstOrDefault()?.Id : "filter"),
                    new { date = answer.Date, requested = answer.Requested, sent = answer.Sent, failed = answer.Failed, skipped = answer.Skipped }, cancellationToken);
                if (!string.IsNullOrWhiteSpace(key))
                {
                    await keys.CompleteAsync(key, JsonSerializer.Serialize(answer, AdminJson.Options), CancellationToken.None);
                }
            }
            return new ResendOutcome(answer, null, null);
        }
        catch
        {
            await ReleaseAsync(key, body.DryRun);
            throw;
        }
    }

    /// <summary>A CSV of subscribers read and imported (or only checked, <paramref name="dryRun"/>).</summary>
    public async Task<(ImportResponse? Answer, AdminError? Error)> ImportAsync(
        HttpContext context, Stream csv, bool dryRun, bool confirmed, CancellationToken cancellationToken)
    {
        List<ImportRow> rows;
        List<ImportError> unreadable;
        try
        {
            using var reader = new StreamReader(csv, Encoding.UTF8);
            (rows, unreadable) = await SubscriberCsv.ReadAsync(reader, cancellationToken);
        }
        catch (Exception e) when (e is CsvFormatException or CsvHelperException)
        {
            return (null, new AdminError(400, "body", $"the CSV cannot be read: {e.Message.Split('\n')[0]}"));
        }
        var report = await import.ImportAsync(rows, confirmed, dryRun, cancellationToken);
        var errors = unreadable.Concat(report.Errors).OrderBy(e => e.Line).ToList();
        var answer = new ImportResponse(dryRun, report.Added, report.Updated, report.Unchanged, errors.Count, errors);
        if (!dryRun)
        {
            await audit.WriteAsync(context, "subscribers.import", null,
                new { added = answer.Added, updated = answer.Updated, unchanged = answer.Unchanged, failed = answer.Failed, confirmed }, cancellationToken);
        }
        return (answer, null);
    }

    private async Task ReleaseAsync(string? key, bool dryRun)
    {
        if (!dryRun && !string.IsNullOrWhiteSpace(key))
        {
            await keys.ReleaseAsync(key, CancellationToken.None);
        }
    }

    private async Task<(IReadOnlyList<Subscriber> Recipients, AdminError? Problem)> RecipientsAsync(ResendRequest body, DateOnly date, CancellationToken cancellationToken)
    {
        if (body.SubscriberId is not null)
        {
            var one = await subscribers.GetAsync(body.SubscriberId, cancellationToken);
            return one is null ? ([], new AdminError(404, "subscriberId", $"There is no subscriber with the id '{body.SubscriberId}'.")) : ([one], null);
        }
        if (body.Email is not null)
        {
            var address = EmailAddress.Normalize(body.Email, out var problem);
            if (address is null)
            {
                return ([], new AdminError(400, "email", problem));
            }
            var one = await subscribers.FindByEmailAsync(address, cancellationToken);
            return one is null ? ([], new AdminError(404, "email", $"There is no subscriber with the address {address}.")) : ([one], null);
        }
        var filter = body.Filter!;
        if (filter.DeliveryStatus is not null && !ResendRecipients.DeliveryStatuses.Contains(filter.DeliveryStatus))
        {
            return ([], new AdminError(400, "filter.deliveryStatus", $"'{filter.DeliveryStatus}' is not one of {string.Join(", ", ResendRecipients.DeliveryStatuses)}"));
        }
        return (await choose.ChooseAsync(filter.Status, filter.Search, filter.DeliveryStatus, date, cancellationToken), null);
    }

    private static IEnumerable<string> ChangedFields(UpdateSubscriberRequest b)
    {
        if (b.Name is not null) yield return "name";
        if (b.Keywords is not null) yield return "keywords";
        if (b.Exclude is not null) yield return "exclude";
        if (b.MaxPapers is not null) yield return "maxPapers";
        if (b.MinScore is not null) yield return "minScore";
        if (b.SendHour is not null) yield return "sendHour";
        if (b.Delivery is not null) yield return "delivery";
        if (b.TimeZone is not null) yield return "timeZone";
        if (b.Paused is not null) yield return "paused";
        if (b.Frequency is not null) yield return "frequency";
        if (b.Weekday is not null) yield return "weekday";
        if (b.Focus is not null) yield return "focus";
    }
}

/// <param name="Replayed">The first request's answer as stored, when this one repeated its idempotency key.</param>
public sealed record ResendOutcome(ResendResponse? Answer, string? Replayed, AdminError? Error)
{
    public static ResendOutcome Failed(int status, string field, string message) => new(null, null, new AdminError(status, field, message));
}
