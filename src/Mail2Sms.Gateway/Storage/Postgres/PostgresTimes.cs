namespace Mail2Sms.Gateway.Storage.Postgres;

/// <summary>Npgsql reads a timestamptz as a UTC <see cref="DateTime"/>; the contracts speak <see cref="DateTimeOffset"/>.</summary>
internal static class PostgresTimes
{
    public static DateTimeOffset Read(DateTime stored) => new(DateTime.SpecifyKind(stored, DateTimeKind.Utc), TimeSpan.Zero);

    public static DateTimeOffset? ReadOrNull(DateTime? stored) => stored is { } at ? Read(at) : null;
}
