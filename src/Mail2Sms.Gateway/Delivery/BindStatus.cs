namespace Mail2Sms.Gateway.Delivery;

/// <summary>One SMPP session as the operator sees it.</summary>
/// <param name="Number">Its number, from 1.</param>
/// <param name="Bound">It is bound now.</param>
/// <param name="Since">When it was last bound or unbound; null before either.</param>
/// <param name="Detail">The SMSC's system_id when bound; why it ended when not (or null before either).</param>
/// <param name="Outstanding">Submits waiting for their response on it now.</param>
public sealed record BindStatus(int Number, bool Bound, DateTimeOffset? Since, string? Detail, int Outstanding);

