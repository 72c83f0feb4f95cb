namespace Mail2Sms.Gateway.Storage;

/// <summary>Thrown when an operator's request cannot be carried out; the message says why in one sentence.</summary>
public sealed class StoreException(string message) : Exception(message)
{
    /// <summary>Refuses with <paramref name="problem"/>, the sentence a rule of Core gave, unless it is null.</summary>
    public static void ThrowIf(string? problem)
    {
        if (problem is not null)
        {
            throw new StoreException(problem);
        }
    }
}
