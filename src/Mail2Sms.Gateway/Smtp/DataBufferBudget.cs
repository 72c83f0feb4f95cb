namespace Mail2Sms.Gateway.Smtp;

/// <summary>
/// The bytes all sessions hold in their emails' data buffers, against <c>Smtp:MaxDataBufferBytes</c>:
/// a buffer grows only when the budget has room, so many slow emails cannot pin the gateway's memory.
/// </summary>
internal sealed class DataBufferBudget(long maxBytes)
{
    private long _held;

    /// <summary>The bytes held now.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>Takes <paramref name="bytes"/> from the budget; false, and nothing taken, when that would pass it.</summary>
    public bool TryTake(long bytes)
    {
        if (Interlocked.Add(ref _held, bytes) <= maxBytes)
        {
            return true;
        }

        Interlocked.Add(ref _held, -bytes);
        return false;
    }

    /// <summary>Gives back what <see cref="TryTake"/> took.</summary>
    public void Release(long bytes) => Interlocked.Add(ref _held, -bytes);
}
