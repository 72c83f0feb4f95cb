namespace Mail2Sms.Gateway.Delivery;

/// <summary>The loop of the delivery's background work.</summary>
internal static class Rounds
{
    // Runs round after round until cancelled; a round that fails (the store, say: what it claimed comes
    // back when its lease ends) is reported, and the next comes after a pause.
    public static async Task RepeatAsync(TimeSpan pauseAfterFailure, Func<Task> round, Action<Exception> onError, TimeProvider clock, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await round().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                onError(e);
                await Task.Delay(pauseAfterFailure, clock, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
