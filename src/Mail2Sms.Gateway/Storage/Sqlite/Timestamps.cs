using System.Globalization;

namespace Mail2Sms.Gateway.Storage.Sqlite;

/// <summary>How the store writes times: UTC, round-trip format, fixed width, so text order is time order.</summary>
internal static class Timestamps
{
    public static string Write(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset Read(string stored) => DateTimeOffset.Parse(stored, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public static DateTimeOffset? ReadOrNull(string? stored) => stored is null ? null : Read(stored);
}
