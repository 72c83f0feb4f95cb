namespace Mail2Sms.Gateway.Delivery;

/// <summary>
/// Items written to the store in batches by one writer at a time: the first item is written at once, and those that
/// arrive while a write is under way go together in the next (no timer: an idle store gets each item without a wait,
/// a busy one fewer and larger writes). Each caller's task completes when the write holding its item has, or fails
/// with it, so nothing is acknowledged before it is stored; the writer runs on until nothing is left, so a stop loses none.
/// </summary>
/// <param name="write">Writes one batch, in the order the items came.</param>
/// <param name="largest">The most items one write takes; the rest go in the next.</param>
public sealed class CoalescedWrites<T>(Func<IReadOnlyList<T>, Task> write, int largest = 500)
{
    private readonly Lock _lock = new();
    private readonly Queue<(T Item, TaskCompletionSource Written)> _waiting = new();
    private bool _writing;

    /// <summary>Completes once <paramref name="item"/> is written.</summary>
    public Task WriteAsync(T item)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool first;
        lock (_lock)
        {
            _waiting.Enqueue((item, written));
            first = !_writing;
            _writing = true;
        }

        if (first)
        {
            _ = WriteWhileWaitingAsync();
        }

        return written.Task;
    }

    // Never throws: a failed write fails the tasks of its own items only.
    private async Task WriteWhileWaitingAsync()
    {
        while (true)
        {
            var batch = new List<(T Item, TaskCompletionSource Written)>();
            lock (_lock)
            {
                while (batch.Count < largest && _waiting.TryDequeue(out var next))
                {
                    batch.Add(next);
                }

                if (batch.Count == 0)
                {
                    _writing = false;
                    return;
                }
            }

            try
            {
                await write([.. batch.Select(b => b.Item)]).ConfigureAwait(false);
                batch.ForEach(b => b.Written.TrySetResult());
            }
            catch (Exception e)
            {
                batch.ForEach(b => b.Written.TrySetException(e));
            }
        }
    }
}
