namespace Mail2Sms.Gateway.Storage;

/// <summary>The dashboard's operators: a name (case-insensitive) and a salted hash of the password.</summary>
public interface IOperators
{
    /// <summary>
    /// Adds an operator; with <paramref name="replace"/> an operator of that name gets the new password
    /// instead, otherwise an existing name is refused.
    /// </summary>
    /// <exception cref="StoreException">The name or password cannot be taken, or the operator exists.</exception>
    Task AddAsync(string name, string password, bool replace = false, CancellationToken cancellationToken = default);

    /// <summary>True when an operator of that name (any case) exists.</summary>
    Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>True when <paramref name="name"/> is an operator and <paramref name="password"/> is theirs.</summary>
    Task<bool> VerifyAsync(string name, string password, CancellationToken cancellationToken = default);
}
