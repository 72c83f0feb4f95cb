namespace Mail2Sms.Tests;

/// <summary>
/// SMS an SMSC received more than once after gateways were killed: an SMS goes twice only when its submit went out and
/// the kill came before it was recorded, so each copy after the first is put down to the kill between it and the one
/// before, and there must be one.
/// </summary>
internal static class RepeatedSubmits
{
    /// <summary>How many SMS went again after each kill, and how many different SMS were submitted.</summary>
    /// <param name="submits">Each submit_sm's SMS (its text), in the order the SMSC received them.</param>
    /// <param name="kills">How many submit_sm the SMSC had received when each killed gateway's bind was gone, in order.</param>
    public static (int[] PerKill, int Different) Count(IReadOnlyList<string> submits, IReadOnlyList<int> kills)
    {
        var perKill = new int[kills.Count];
        var seenAt = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < submits.Count; i++)
        {
            if (seenAt.TryGetValue(submits[i], out var before))
            {
                var kill = kills.ToList().FindIndex(k => before < k && k <= i);
                Assert.True(kill >= 0, $"\"{submits[i]}\" submitted twice with no kill between (submits {before} and {i})");
                perKill[kill]++;
            }

            seenAt[submits[i]] = i;
        }

        return (perKill, seenAt.Count);
    }
}
