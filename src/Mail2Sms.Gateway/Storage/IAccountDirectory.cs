using System.Globalization;
using System.Net;

namespace Mail2Sms.Gateway.Storage;

/// <summary>An account as the operator manages it.</summary>
public sealed record AccountRecord(string Id, string? Country, string? Sender, bool RelaxedNumbers, int MaxParts, long Credits, long LowCreditWarning, DateTimeOffset CreatedAt)
{
    /// <summary>SMS the account may start per minute; 0 for no cap.</summary>
    public int SmsPerMinute { get; init; }

    /// <summary>Days a reply is matched to the account's SMS; null for the gateway's <c>Replies:WindowDays</c>.</summary>
    public int? ReplyWindowDays { get; init; }

    /// <summary>The numbers the account may text and the parts an SMS may take, in words.</summary>
    public string NumbersRule => string.Create(CultureInfo.InvariantCulture,
        $"{(RelaxedNumbers ? "any 8 to 15 digits" : "mobile numbers only")}, at most {MaxParts} parts an SMS");

    /// <summary>How long replies are matched to the account's SMS, in words.</summary>
    public string ReplyWindow => ReplyWindowDays is { } days ? string.Create(CultureInfo.InvariantCulture, $"{days} days") : "the gateway's Replies:WindowDays";

    /// <summary>The low-credit warning level in words.</summary>
    public string LowCreditWarningLevel => LowCreditWarning > 0 ? string.Create(CultureInfo.InvariantCulture, $"below {LowCreditWarning} credits") : "off";

    /// <summary>The cap of SMS a minute in words.</summary>
    public string SmsPerMinuteCap => SmsPerMinute > 0 ? string.Create(CultureInfo.InvariantCulture, $"at most {SmsPerMinute} SMS a minute") : "no cap of SMS per minute";
}

/// <summary>
/// Settings of an account to change; each left null stays as it is. An empty <see cref="Country"/> or
/// <see cref="Sender"/> clears it (international numbers only; the gateway's sender), and a
/// <see cref="ReplyWindowDays"/> of 0 goes back to the gateway's window.
/// </summary>
public sealed record AccountChanges
{
    /// <summary>The ISO 3166 region national numbers are read in.</summary>
    public string? Country { get; init; }

    /// <summary>The source address of the account's SMS.</summary>
    public string? Sender { get; init; }

    /// <summary>Accept any 8 to 15 digits rather than mobile numbers only.</summary>
    public bool? RelaxedNumbers { get; init; }

    /// <summary>The most parts one SMS may take, 1 to 255.</summary>
    public int? MaxParts { get; init; }

    /// <summary>Days replies are matched to the account's SMS, 1 to 365; 0 for the gateway's.</summary>
    public int? ReplyWindowDays { get; init; }

    /// <summary>Warn the users once when credits fall below this (0: never).</summary>
    public long? LowCreditWarning { get; init; }

    /// <summary>SMS the account may start a minute (0: no cap).</summary>
    public int? SmsPerMinute { get; init; }
}

/// <summary>A user of an account: an address, or a <c>*@domain</c> pattern that authenticates by IP only.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Address">The address or pattern.</param>
/// <param name="HasPassword">It has a password for <c>[SENDER]</c> blocks and SMTP AUTH.</param>
/// <param name="Disabled">It may not send.</param>
/// <param name="ReceiptEmails">Its emails get a receipt email once their SMS are delivered.</param>
public sealed record UserRecord(string AccountId, string Address, bool HasPassword, bool Disabled, bool ReceiptEmails);

/// <summary>A user an address may be, with what it takes to authenticate as it.</summary>
/// <param name="AccountId">The user's account.</param>
/// <param name="Address">The user's address, or its <c>*@domain</c> pattern.</param>
/// <param name="PasswordHash">The stored hash, when the user has a password.</param>
/// <param name="Networks">The account's allowed networks.</param>
public sealed record SenderCandidate(string AccountId, string Address, string? PasswordHash, IReadOnlyList<IPNetwork> Networks)
{
    /// <summary>True for a <c>*@domain</c> pattern, which authenticates by IP address only.</summary>
    public bool IsPattern => Address.StartsWith("*@", StringComparison.Ordinal);

    /// <summary>True when <paramref name="client"/> is inside one of the account's networks (<c>::ffff:a.b.c.d</c> is <c>a.b.c.d</c>).</summary>
    public bool Allows(IPAddress? client)
    {
        if (client is null)
        {
            return false;
        }

        var address = client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client;
        return Networks.Any(n => n.Contains(address));
    }
}

/// <summary>One change of an account's credits.</summary>
public sealed record LedgerEntry(long Delta, long Balance, string Reason, DateTimeOffset At);

/// <summary>
/// Accounts, their users, allowed networks and credits, each change in one transaction; and the directory
/// intake asks who a sender may be. Refusals are <see cref="StoreException"/>s whose sentence Core's
/// <c>AccountRules</c> and <c>UserRules</c> give, or that name the account or user not found.
/// </summary>
public interface IAccountDirectory
{
    /// <summary>Creates an account without a low-credit warning; its opening credits go into the ledger.</summary>
    Task<AccountRecord> AddAccountAsync(string id, string? country, string? sender, bool relaxedNumbers, long credits, CancellationToken cancellationToken = default);

    /// <summary>Creates an account whose users are warned when its credits fall below <paramref name="lowCreditWarning"/> (0: never); its opening credits go into the ledger.</summary>
    /// <exception cref="StoreException">A setting cannot be taken, or the account exists.</exception>
    Task<AccountRecord> AddAccountAsync(string id, string? country, string? sender, bool relaxedNumbers, long credits, long lowCreditWarning, CancellationToken cancellationToken = default);

    /// <summary>Changes an account's settings: each one given in <paramref name="changes"/> (not null) is set. Returns the account as it now is.</summary>
    Task<AccountRecord> SetAccountAsync(string id, AccountChanges changes, CancellationToken cancellationToken = default);

    /// <summary>The account, or null.</summary>
    Task<AccountRecord?> FindAccountAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Every account, by ID.</summary>
    Task<IReadOnlyList<AccountRecord>> ListAccountsAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds <paramref name="delta"/> credits (negative to take some back); never below zero. Returns the new balance.</summary>
    Task<long> CreditAsync(string id, long delta, string reason, CancellationToken cancellationToken = default);

    /// <summary>The newest ledger entries of an account, newest first.</summary>
    Task<IReadOnlyList<LedgerEntry>> LedgerAsync(string id, int limit = 20, CancellationToken cancellationToken = default);

    /// <summary>Allows mail from an address or CIDR range (IPv4 or IPv6) to authenticate as the account. Returns the canonical form.</summary>
    Task<string> AllowIpAsync(string id, string addressOrRange, CancellationToken cancellationToken = default);

    /// <summary>Stops mail from a network authenticating as the account; returns it in canonical form. One not allowed is refused.</summary>
    Task<string> DisallowIpAsync(string id, string addressOrRange, CancellationToken cancellationToken = default);

    /// <summary>The networks allowed for an account, canonical CIDR.</summary>
    Task<IReadOnlyList<string>> AllowedNetworksAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a user: an email address (with a password for <c>[SENDER]</c> and SMTP AUTH, or none for IP
    /// authentication only) or a <c>*@domain</c> pattern, which never has a password.
    /// </summary>
    Task<UserRecord> AddUserAsync(string id, string address, string? password, CancellationToken cancellationToken = default);

    /// <summary>Adds a user, as the overload without <paramref name="receiptEmails"/> does; with it on, its emails get receipt emails.</summary>
    Task<UserRecord> AddUserAsync(string id, string address, string? password, bool receiptEmails, CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes a user: each setting given (not null) is set. <paramref name="disabled"/> stops it from
    /// sending (from the next email on); <paramref name="password"/> replaces its password, and empty
    /// removes it (IP authentication only). Returns the user as it now is.
    /// </summary>
    Task<UserRecord> SetUserAsync(string id, string address, bool? receiptEmails, bool? disabled, string? password, CancellationToken cancellationToken = default);

    /// <summary>The users of an account.</summary>
    Task<IReadOnlyList<UserRecord>> UsersAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// The users an address could be: exact matches (case-insensitive) and <c>*@domain</c> patterns of its
    /// domain, of accounts in any, each with the account's allowed networks. Disabled users are left out.
    /// </summary>
    Task<IReadOnlyList<SenderCandidate>> SenderCandidatesAsync(string address, CancellationToken cancellationToken = default);

    /// <summary>
    /// What Core's decision needs of an account (country, relaxed numbers, parts), or null when there is none;
    /// <paramref name="partSizes"/> are the sizes the SMS centre's parts are cut to (<c>Smpp:Concatenation</c>), by which an SMS is counted.
    /// </summary>
    Task<Core.Intake.Account?> AccountRulesAsync(string id, Core.Text.PartSizes? partSizes, CancellationToken cancellationToken = default);
}
