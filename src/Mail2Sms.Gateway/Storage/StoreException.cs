namespace Mail2Sms.Gateway.Storage;

/// <summary>Thrown when an operator's request cannot be carried out; the message says why in one sentence.</summary>
public sealed class StoreException(string message) : Exception(message);
