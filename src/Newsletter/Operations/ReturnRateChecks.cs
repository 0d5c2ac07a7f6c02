using System.Data.Common;
using System.Globalization;
using Newsletter.Inbound;

namespace Newsletter.Operations;

/// <summary>
/// Doctor's look at what came back over the last 7 days: the share of sent digests that drew a spam complaint, and the
/// share that bounced, against the limits the large mailbox providers publish for bulk senders (<see cref="ReturnRateLimits"/>).
/// </summary>
public static class ReturnRateChecks
{
    public static readonly TimeSpan Period = ReturnRateLimits.Period;
    public const double ComplaintWarning = ReturnRateLimits.ComplaintWarning;
    public const double ComplaintFailure = ReturnRateLimits.ComplaintFailure;
    public const double BounceWarning = ReturnRateLimits.BounceWarning;
    public const double BounceFailure = ReturnRateLimits.BounceFailure;

    public static async Task<IReadOnlyList<Finding>> ExamineAsync(IServiceProvider services, TimeProvider clock, CancellationToken cancellationToken)
    {
        ReturnRates rates;
        try
        {
            rates = await services.GetRequiredService<InboundLog>().RatesAsync(clock.GetUtcNow() - Period, cancellationToken);
        }
        catch (DbException e)
        {
            return [new Finding("returns", FindingStatus.Skipped, $"skipped: the bounce log cannot be read ({e.Message}); see migrations.")];
        }
        if (rates.Sent == 0)
        {
            return [new Finding("returns", FindingStatus.Ok, "no digests sent in the last 7 days: no complaint or bounce rate to judge")];
        }
        return
        [
            Rate("complaints", rates.Complained, rates.Sent, ComplaintWarning, ComplaintFailure,
                "Look at what people complain about (`GET /admin/api/bounces?kind=complaint`): subscribers who did not ask for the mail, or too much of it. " +
                "Complaining subscribers are already suppressed; check how addresses are added."),
            Rate("bounces", rates.Bounced, rates.Sent, BounceWarning, BounceFailure,
                "Check that bounces reach `newsletter mail process` (docs/deploy.md, the bounce mailbox) and where the bouncing addresses came from (`GET /admin/api/bounces`)."),
        ];
    }

    private static Finding Rate(string check, long count, long sent, double warning, double failure, string fix)
    {
        var rate = (double)count / sent;
        var text = string.Create(CultureInfo.InvariantCulture, $"{count} of {sent} digests sent in the last 7 days ({rate:0.###%}); warning at {warning:0.#%}, failure at {failure:0.#%}");
        var status = rate >= failure ? FindingStatus.Failed : rate >= warning ? FindingStatus.Warning : FindingStatus.Ok;
        return new Finding(check, status, text, status == FindingStatus.Ok ? null : fix);
    }
}
