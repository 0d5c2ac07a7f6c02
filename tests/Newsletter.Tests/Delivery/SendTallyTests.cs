using Newsletter.Delivery;

namespace Newsletter.Tests.Delivery;

public sealed class SendTallyTests
{
    [Fact]
    public void A_digest_deferred_twice_in_one_run_counts_once_and_not_at_all_once_it_went_out()
    {
        var tally = new SendTally(null, null);

        tally.Waiting("ada:2026-03-11:0");
        tally.Waiting("grace:2026-03-11:0");
        tally.Settled("ada:2026-03-11:0"); // its retry time came within the run: tried again
        tally.Waiting("ada:2026-03-11:0"); // and deferred again
        Assert.Equal(2, tally.Report().Deferred);

        tally.Settled("grace:2026-03-11:0");
        Interlocked.Increment(ref tally.Sent);
        Assert.Equal((1, 1), (tally.Report().Deferred, tally.Report().Sent));
    }
}
