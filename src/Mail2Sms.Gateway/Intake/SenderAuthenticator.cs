using System.Globalization;
using System.Net;
using Mail2Sms.Core.Accounts;
using Mail2Sms.Core.Formats;
using Mail2Sms.Core.Intake;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Intake;

/// <summary>How a sender proved who it is.</summary>
public enum AuthenticationMethod
{
    /// <summary>A <c>[SENDER]</c> block with the account ID and the user's password.</summary>
    Password,
    /// <summary>SMTP AUTH over TLS as a user of the same account.</summary>
    SmtpAuth,
    /// <summary>The client's address is one of the account's.</summary>
    IpAddress,
}

/// <summary>The account a sender belongs to, or why it could not be told.</summary>
/// <param name="AccountId">The sender's account.</param>
/// <param name="User">The user it authenticated as: its address, or the <c>*@domain</c> pattern it matched.</param>
/// <param name="Method">How it proved it.</param>
/// <param name="Failure">Why it could not, instead.</param>
public sealed record SenderAuthentication(string? AccountId, string? User, AuthenticationMethod? Method, Reason? Failure);

/// <summary>
/// Decides which account an email's sender belongs to, as FORMATS.md orders it: a registered user
/// (an exact address beats a <c>*@domain</c> pattern), proven by the <c>[SENDER]</c> password, else
/// SMTP AUTH, else the client's IP address. A block that is present is always checked; an address
/// that two accounts claim equally is refused, never guessed.
/// </summary>
public sealed class SenderAuthenticator(IAccountDirectory accounts, PasswordLockout lockout, PasswordVerifier passwords)
{
    /// <summary>Authenticates the sender of an email.</summary>
    /// <param name="address">The originator (the forwarding user for forwarded mail).</param>
    /// <param name="block">The body's <c>[SENDER]</c> block, if valid.</param>
    /// <param name="smtpAuthUser">The user the session authenticated as with SMTP AUTH over TLS, if any.</param>
    /// <param name="client">The client's address.</param>
    /// <param name="forwarded">Mail forwarded by a rule: it must pass IP authentication.</param>
    /// <param name="cancellationToken">Cancels the look-ups.</param>
    public async Task<SenderAuthentication> AuthenticateAsync(
        string? address, SenderBlock? block, string? smtpAuthUser, IPAddress? client, bool forwarded, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return Failed(ReasonCode.AuthenticationFailed, "The email has no From address, so its sender cannot be told: send it from your registered address.");
        }

        var candidates = await accounts.SenderCandidatesAsync(address, cancellationToken).ConfigureAwait(false);
        var exact = candidates.Where(c => !c.IsPattern).ToList();
        if (candidates.Count == 0)
        {
            return Failed(ReasonCode.AuthenticationFailed,
                $"{address} is not registered to send SMS through this gateway: ask the gateway's operator to add it to your account.");
        }

        if (forwarded)
        {
            return ByIpAddress(address, exact.Count > 0 ? exact : candidates, client, ReasonCode.ForwardingNeedsIpAuthentication,
                $"Mail forwarded by a rule must come from your organisation's registered mail server, and {client} is not one for {address}.");
        }

        if (block is not null)
        {
            return await ByPasswordAsync(address, block, exact, client, cancellationToken).ConfigureAwait(false);
        }

        if (smtpAuthUser is not null)
        {
            var authAccounts = (await accounts.SenderCandidatesAsync(smtpAuthUser, cancellationToken).ConfigureAwait(false))
                .Where(c => !c.IsPattern).Select(c => c.AccountId).ToHashSet(StringComparer.OrdinalIgnoreCase);
            // An account holds an address once, so one user per shared account.
            var shared = exact.Where(c => authAccounts.Contains(c.AccountId)).ToList();
            if (shared.Count == 1)
            {
                return new SenderAuthentication(shared[0].AccountId, shared[0].Address, AuthenticationMethod.SmtpAuth, null);
            }
        }

        return ByIpAddress(address, exact.Count > 0 ? exact : candidates, client, ReasonCode.AuthenticationFailed,
            $"{address} is registered, but mail from {client} is not accepted for it: send through your registered mail server, or begin the body with a [SENDER] block holding your account ID and password.");
    }

    // Failures count against (account, client address) only when the From address is a user of the account the block
    // names; anyone else's count against its client address alone, so a stranger naming an account never locks it out.
    private async Task<SenderAuthentication> ByPasswordAsync(string address, SenderBlock block, IReadOnlyList<SenderCandidate> exact, IPAddress? client, CancellationToken cancellationToken)
    {
        var user = exact.FirstOrDefault(c => c.AccountId.Equals(block.AccountId, StringComparison.OrdinalIgnoreCase));
        var key = user is null ? LockoutKey.Stranger(client) : LockoutKey.Account(user.AccountId, client);
        // Reserved before the slow hash, so parallel guesses count before any of them is verified.
        var attempt = await lockout.BeginAttemptAsync(key, cancellationToken).ConfigureAwait(false);
        if (attempt.RefusedUntil is { } until)
        {
            return Failed(ReasonCode.LockedOut, string.Create(CultureInfo.InvariantCulture,
                $"Too many wrong passwords {(user is null ? string.Empty : "for this account ")}from {client}: try again after {until.UtcDateTime:HH:mm} UTC."));
        }

        // A stranger's password is verified too, against a hash nobody's password matches, so timing never tells a user from a stranger.
        if (passwords.Verify(block.Password, user?.PasswordHash ?? PasswordHasher.UnknownUserHash) && user is not null)
        {
            await lockout.SucceedAsync(key, cancellationToken).ConfigureAwait(false);
            return new SenderAuthentication(user.AccountId, user.Address, AuthenticationMethod.Password, null);
        }

        await lockout.FailedAsync(attempt, PasswordPath.SenderBlock, cancellationToken).ConfigureAwait(false);
        return Failed(ReasonCode.AuthenticationFailed,
            $"The account ID and password in the [SENDER] block are not those of {address}: check both (the password is case-sensitive).");
    }

    private static SenderAuthentication ByIpAddress(string address, IReadOnlyList<SenderCandidate> users, IPAddress? client, ReasonCode code, string refusal)
    {
        var allowed = users.Where(c => c.Allows(client)).DistinctBy(c => c.AccountId, StringComparer.OrdinalIgnoreCase).ToList();
        return allowed.Count switch
        {
            1 => new SenderAuthentication(allowed[0].AccountId, allowed[0].Address, AuthenticationMethod.IpAddress, null),
            0 => Failed(code, refusal),
            _ => Failed(ReasonCode.AmbiguousSender,
                $"{address} sending from {client} belongs to accounts {string.Join(" and ", allowed.Select(c => c.AccountId))}, so the account cannot be told: begin the body with a [SENDER] block, or ask the operator to remove one."),
        };
    }

    private static SenderAuthentication Failed(ReasonCode code, string text) => new(null, null, null, Reasons.Create(code, text));
}
