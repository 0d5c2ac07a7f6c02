namespace Newsletter.Delivery;

/// <summary>
/// Group commit for "sent" marks: each caller's task completes when its mark is written, and the marks that arrive
/// while one write is under way go together in the next write, so the database does one statement for many
/// messages instead of one each. A connection sends its next message while its last mark is being written, and
/// waits for that mark before recording the next: at most two accepted messages per connection are unmarked at
/// any moment (the window in which a crash sends a message twice).
/// </summary>
public sealed class SentMarks(Outbox outbox)
{
    private readonly Lock _gate = new();
    private List<(string DeliveryId, SendOutcome Outcome, TaskCompletionSource Written)> _waiting = [];
    private bool _writing;

    /// <summary>Completes once the mark is written (or fails with the write's error).</summary>
    public Task MarkAsync(string deliveryId, SendOutcome outcome)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            _waiting.Add((deliveryId, outcome, written));
            start = !_writing;
            _writing = true;
        }
        if (start)
        {
            _ = Task.Run(WriteWhileWaitingAsync);
        }
        return written.Task;
    }

    private async Task WriteWhileWaitingAsync()
    {
        while (true)
        {
            List<(string DeliveryId, SendOutcome Outcome, TaskCompletionSource Written)> batch;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _writing = false;
                    return;
                }
                batch = _waiting;
                _waiting = [];
            }
            try
            {
                // not cancellable: a message the server accepted is recorded even when the run is being stopped
                await outbox.MarkSentAsync([.. batch.Select(m => (m.DeliveryId, m.Outcome))], CancellationToken.None);
                batch.ForEach(m => m.Written.SetResult());
            }
            catch (Exception e)
            {
                batch.ForEach(m => m.Written.SetException(e));
            }
        }
    }
}
