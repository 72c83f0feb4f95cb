namespace Mail2Sms.Gateway.Storage;

/// <summary>
/// The dashboard's Data Protection keys (they protect sign-in cookies and anti-forgery tokens), kept in the database so
/// that every node reads the same keys and an operator stays signed in whichever node answers. Kept as the XML Data
/// Protection writes, not encrypted: what protects them is who can read the database.
/// </summary>
public interface IProtectionKeys
{
    /// <summary>
    /// Keeps one key's XML under its friendly name (Data Protection's <c>key-&lt;id&gt;</c>). A key already kept under
    /// that name stays as it was: a key, once written, never changes.
    /// </summary>
    Task StoreAsync(string friendlyName, string xml, CancellationToken cancellationToken = default);

    /// <summary>Every key kept, in the order they were kept, whichever node kept them.</summary>
    Task<IReadOnlyList<string>> AllAsync(CancellationToken cancellationToken = default);
}
