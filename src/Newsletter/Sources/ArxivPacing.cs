namespace Newsletter.Sources;

/// <summary>
/// arXiv's terms of use ask for no more than one request every three seconds: every <c>arxiv</c> source waits its
/// turn here (one request per source per day needs no wait, but two arxiv sources, or a range of days, do).
/// </summary>
public sealed class ArxivPacing(TimeProvider clock)
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private DateTimeOffset? _last;

    public async Task WaitTurnAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            if (_last is { } last && last + FeedKinds.ArxivSpacing - clock.GetUtcNow() is { } wait && wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock, cancellationToken);
            }
            _last = clock.GetUtcNow();
        }
        finally
        {
            _turn.Release();
        }
    }
}
