namespace Mail2Sms.Fuzz;

/// <summary>An entry point returned, but what it returned breaks a promise it makes (a bound, a round trip).</summary>
internal sealed class FuzzInvariantException(string message) : Exception(message);
