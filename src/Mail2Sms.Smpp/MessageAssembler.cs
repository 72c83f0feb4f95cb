namespace Mail2Sms.Smpp;

/// <summary>A message from a mobile, joined from its parts as far as they came.</summary>
/// <param name="First">The first part that arrived (its addresses and data_coding are the message's).</param>
/// <param name="Text">The text, parts in order; a part that never came is left out.</param>
/// <param name="PartsReceived">Parts that came.</param>
/// <param name="PartsTotal">Parts the message has.</param>
public sealed record AssembledMessage(ShortMessage First, string Text, int PartsReceived, int PartsTotal)
{
    /// <summary>True when every part came.</summary>
    public bool Complete => PartsReceived == PartsTotal;
}

/// <summary>One part of a message from a mobile sent in parts, decoded.</summary>
/// <param name="Reference">The reference its parts share.</param>
/// <param name="Total">How many parts the message has.</param>
/// <param name="Sequence">Which part this is, from 1.</param>
/// <param name="Text">Its text.</param>
public sealed record MessagePart(int Reference, int Total, int Sequence, string Text);

/// <summary>
/// Joins messages from mobiles sent in parts (a user data header with an 8- or 16-bit reference, or
/// the sar_* parameters): parts may come in any order and more than once; a message whose parts stop
/// coming is given up after a while and delivered as far as it got.
/// </summary>
public sealed class MessageAssembler(TimeProvider clock, TimeSpan partTimeout)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Source, string Destination, int Reference, int Total), Pending> _pending = [];

    /// <summary>
    /// The part of a message in parts that <paramref name="deliver"/> is, decoded; null when it is a message on its own
    /// (no part header, one part, or a part number outside the total).
    /// </summary>
    public static MessagePart? PartOf(ShortMessage deliver)
    {
        ArgumentNullException.ThrowIfNull(deliver);
        return LongMessages.PartOf(deliver) is { Total: > 1 } part && part.Sequence >= 1 && part.Sequence <= part.Total
            ? new MessagePart(part.Reference, part.Total, part.Sequence, LongMessages.TextOf(deliver))
            : null;
    }

    /// <summary>Takes one deliver_sm; returns the whole message when this completes it (or is a message on its own), else null.</summary>
    public AssembledMessage? Add(ShortMessage deliver)
    {
        if (PartOf(deliver) is not { } part)
        {
            return new AssembledMessage(deliver, LongMessages.TextOf(deliver), 1, 1);
        }

        lock (_gate)
        {
            var key = (deliver.SourceAddress, deliver.DestinationAddress, part.Reference, part.Total);
            if (!_pending.TryGetValue(key, out var pending))
            {
                _pending[key] = pending = new Pending(deliver, clock.GetUtcNow(), new string?[part.Total]);
            }

            pending.Parts[part.Sequence - 1] ??= part.Text;
            if (pending.Parts.Any(p => p is null))
            {
                return null;
            }

            _pending.Remove(key);
            return pending.Join();
        }
    }

    /// <summary>The messages whose first part came longer ago than the timeout, given up and joined as far as they got.</summary>
    public IReadOnlyList<AssembledMessage> TakeExpired()
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            var expired = _pending.Where(p => now - p.Value.Since >= partTimeout).ToList();
            foreach (var (key, _) in expired)
            {
                _pending.Remove(key);
            }

            return [.. expired.Select(p => p.Value.Join())];
        }
    }

    private sealed record Pending(ShortMessage First, DateTimeOffset Since, string?[] Parts)
    {
        public AssembledMessage Join() => new(First, string.Concat(Parts.Where(p => p is not null)), Parts.Count(p => p is not null), Parts.Length);
    }
}
