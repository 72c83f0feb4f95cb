using System.Threading.Channels;
using Mail2Sms.Core.Intake;

namespace Mail2Sms.Gateway.Storage;

/// <summary>An email waiting for the commit that holds it, with what its commit answers.</summary>
internal sealed record PendingAccept(ReceivedEmail Email, Acceptance Acceptance, OutboundMail? Report, Func<LowCreditWarning, OutboundMail>? Warn)
{
    public TaskCompletionSource<AcceptOutcome> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Group commit: accepted emails arriving together wait here and are committed together, by <paramref name="committers"/>
/// loops each taking up to <paramref name="largestGroup"/> at a time; a group that fails fails each of its emails not yet answered.
/// </summary>
internal sealed class EmailCommitQueue(int committers, int largestGroup)
{
    private readonly Channel<PendingAccept> _commits = Channel.CreateUnbounded<PendingAccept>(new UnboundedChannelOptions { SingleReader = committers == 1 });
    private int _started;

    /// <summary>Queues an email; the task completes once the commit that holds it (or refuses it) has.</summary>
    /// <param name="pending">The email.</param>
    /// <param name="commit">Commits a group, answering each of its emails: the same at every call (the first starts the loops with it).</param>
    /// <param name="cancellationToken">Cancels waiting; the commit itself, once queued, goes ahead.</param>
    public Task<AcceptOutcome> CommitAsync(PendingAccept pending, Func<List<PendingAccept>, Task> commit, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            for (var i = 0; i < committers; i++)
            {
                _ = Task.Run(() => CommitLoopAsync(commit), CancellationToken.None);
            }
        }

        if (!_commits.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The commit queue is closed.");
        }

        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task CommitLoopAsync(Func<List<PendingAccept>, Task> commit)
    {
        var group = new List<PendingAccept>();
        while (await _commits.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (group.Count < largestGroup && _commits.Reader.TryRead(out var next))
            {
                group.Add(next);
            }

            if (group.Count == 0)
            {
                continue;
            }

            try
            {
                await commit(group).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                foreach (var pending in group)
                {
                    pending.Done.TrySetException(e);
                }
            }

            group.Clear();
        }
    }
}
