namespace Mail2Sms.Fuzz;

/// <summary>
/// One entry point under fuzzing: <see cref="Generate"/> makes a malformed input from valid seeds,
/// <see cref="Run"/> feeds it to the public entry point. Run catches only the outcome the entry point
/// documents for invalid input; any other exception escaping it is a failure.
/// </summary>
internal sealed record FuzzTarget(string Name, Func<Random, byte[]> Generate, Action<byte[]> Run);
