namespace Newsletter.Inbound;

/// <summary>
/// The limits the large mailbox providers publish for bulk senders, over the last 7 days: complaints, keep below
/// 0.1 %, never reach 0.3 %; bounces, a list kept clean stays under 2 %, and 5 % means addresses are not being
/// removed. Past them, providers start to refuse or junk all of the sender's mail. Doctor judges by them and the
/// admin console shows them.
/// </summary>
public static class ReturnRateLimits
{
    public static readonly TimeSpan Period = TimeSpan.FromDays(7);
    public const double ComplaintWarning = 0.001;
    public const double ComplaintFailure = 0.003;
    public const double BounceWarning = 0.02;
    public const double BounceFailure = 0.05;
}
