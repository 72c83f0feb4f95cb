namespace Mail2Sms.Gateway.Storage;

/// <summary>The read-only questions the dashboard and the CLI ask of the store: nothing here changes a row.</summary>
public interface IDashboardQueries
{
    /// <summary>SMS a page of the search shows.</summary>
    const int PageSize = 50;

    /// <summary>The SMS by status, those due and the oldest queued, at <paramref name="now"/>: what <c>/metrics</c> reports at every scrape.</summary>
    Task<SmsCensus> CensusAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The overview's figures now.</summary>
    Task<DashboardOverview> OverviewAsync(CancellationToken cancellationToken = default);

    /// <summary>SMS accepted, submitted, delivered and failed per minute over the last <paramref name="hours"/>, up to the current minute.</summary>
    Task<SmsPerMinute> PerMinuteAsync(int hours = 6, CancellationToken cancellationToken = default);

    /// <summary>The SMS that match, newest first, one page of <see cref="PageSize"/>; one more is read to tell whether a next page exists.</summary>
    Task<IReadOnlyList<SmsFound>> SearchAsync(SmsSearch search, CancellationToken cancellationToken = default);

    /// <summary>The email that sent SMS <paramref name="smsId"/>, or null.</summary>
    Task<long?> EmailOfSmsAsync(long smsId, CancellationToken cancellationToken = default);

    /// <summary>One email in full, or null when there is none.</summary>
    Task<EmailDetail?> EmailAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>The newest refused emails, at most <paramref name="limit"/>; only those whose sender (From or envelope) contains <paramref name="sender"/>, any case, when given.</summary>
    Task<IReadOnlyList<RejectedEmail>> RejectionsAsync(int limit, string? sender = null, CancellationToken cancellationToken = default);

    /// <summary>The newest SMS, newest first, optionally of one account (any case) or in one status.</summary>
    Task<IReadOnlyList<SmsListing>> ListSmsAsync(string? accountId, string? status, int limit, CancellationToken cancellationToken = default);
}
