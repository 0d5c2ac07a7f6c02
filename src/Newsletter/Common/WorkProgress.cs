namespace Newsletter.Common;

/// <summary>
/// Where long work tells how far it got: a phase at a time, with a total when one is known. The service passes
/// <see cref="None"/>; the command line shows bars on a terminal and plain lines otherwise.
/// </summary>
public abstract class WorkProgress
{
    public static WorkProgress None { get; } = new Silent();

    /// <param name="total">How many items the phase has, or null when that is not known beforehand.</param>
    public abstract ProgressPhase Begin(string phase, long? total = null);

    private sealed class Silent : WorkProgress
    {
        public override ProgressPhase Begin(string phase, long? total = null) => ProgressPhase.Silent;
    }
}

/// <summary>One phase of long work. Safe to advance from several threads at once.</summary>
public abstract class ProgressPhase : IDisposable
{
    internal static ProgressPhase Silent { get; } = new Quiet();

    public abstract void Advance(long by = 1);

    public abstract void SetTotal(long total);

    /// <summary>Ends the phase with a short summary ("212 digests sent"); disposing without it just ends it.</summary>
    public abstract void Complete(string? summary = null);

    public void Dispose() => Complete();

    private sealed class Quiet : ProgressPhase
    {
        public override void Advance(long by = 1)
        {
        }

        public override void SetTotal(long total)
        {
        }

        public override void Complete(string? summary = null)
        {
        }
    }
}
