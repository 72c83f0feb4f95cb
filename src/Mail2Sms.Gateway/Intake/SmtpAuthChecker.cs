using System.Globalization;
using System.Net;
using Mail2Sms.Core.Accounts;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Intake;

/// <summary>What became of an SMTP AUTH attempt.</summary>
public enum SmtpAuthOutcome
{
    /// <summary>The user's password: <c>235 2.7.0</c>.</summary>
    Accepted,
    /// <summary>An unknown user or a wrong password: <c>535 5.7.8</c>, after a growing delay.</summary>
    Refused,
    /// <summary>Too many wrong passwords from this client address: <c>454 4.7.0</c>, the right password included.</summary>
    LockedOut,
}

/// <summary>The answer to an SMTP AUTH attempt: the reply to write, once <see cref="SmtpAuthChecker.CheckAsync"/> has held it for <paramref name="Delay"/>.</summary>
/// <param name="Outcome">Accepted, refused or locked out.</param>
/// <param name="Reply">The reply to write: <c>235</c>, <c>535 5.7.8</c> or <c>454 4.7.0</c> with the time the lock ends.</param>
/// <param name="Delay">How long the reply was held (the client's failures within the lockout window slow it down).</param>
public sealed record SmtpAuthVerdict(SmtpAuthOutcome Outcome, SmtpReply Reply, TimeSpan Delay)
{
    /// <summary>True when the session is now authenticated.</summary>
    public bool IsAccepted => Outcome == SmtpAuthOutcome.Accepted;
}

/// <summary>
/// SMTP AUTH (PLAIN, LOGIN, offered only after STARTTLS) under the same lockout as <c>[SENDER]</c> blocks: a user of an
/// account with its password. Failures count against (account, client address) when the user exists, against the client
/// address alone when it does not; while a key is locked even the right password gets <c>454 4.7.0</c> (RFC 4954's
/// temporary failure). Each failure of a client within the lockout window holds its <c>535</c> longer: the first delay,
/// doubled per failure, at most eight times the first.
/// </summary>
public sealed class SmtpAuthChecker(IAccountDirectory accounts, PasswordVerifier passwords, PasswordLockout lockout, TimeProvider clock, TimeSpan? firstDelay = null)
{
    private readonly TimeSpan _firstDelay = firstDelay ?? TimeSpan.FromSeconds(0.5);

    /// <summary>Checks <paramref name="user"/>'s <paramref name="password"/> from <paramref name="client"/>; a refusal comes back after its delay.</summary>
    public async Task<SmtpAuthVerdict> CheckAsync(string user, string password, IPAddress? client, CancellationToken cancellationToken = default)
    {
        // Off the socket's thread: a slow hash takes tens of milliseconds, by design.
        await Task.Yield();
        var users = (await accounts.SenderCandidatesAsync(user, cancellationToken).ConfigureAwait(false)).Where(c => !c.IsPattern).ToList();
        // An address may be a user of several accounts: each account's pair counts, and any of them locked refuses.
        IReadOnlyList<LockoutKey> keys = users.Count == 0 ? [LockoutKey.Stranger(client)] : users.Select(u => LockoutKey.Account(u.AccountId, client)).Distinct().ToList();
        // Each pair's attempt is reserved before the slow hash, so parallel guesses count before any of them is verified;
        // a lock is looked for first so that a locked pair does not count against the others.
        DateTimeOffset? locked = null;
        foreach (var key in keys)
        {
            if (await lockout.LockedUntilAsync(key, cancellationToken).ConfigureAwait(false) is { } end && !(end <= locked))
            {
                locked = end;
            }
        }

        var attempts = new List<PasswordAttempt>();
        if (locked is null)
        {
            foreach (var key in keys)
            {
                attempts.Add(await lockout.BeginAttemptAsync(key, cancellationToken).ConfigureAwait(false));
            }
        }

        if ((locked ?? attempts.Select(a => a.RefusedUntil).Max()) is { } until)
        {
            return await RefusedAsync(SmtpAuthOutcome.LockedOut, new SmtpReply(454, "4.7.0", [string.Create(CultureInfo.InvariantCulture,
                $"Too many wrong passwords from {client}: authentication is refused until {until.UtcDateTime:HH:mm} UTC, also with the right password.")]), client, cancellationToken).ConfigureAwait(false);
        }

        // An unknown user's password is verified too, against a hash nobody's password matches, so timing never tells
        // which addresses are users.
        var hashed = users.Where(u => u.PasswordHash is not null).ToList();
        if (hashed.Count == 0)
        {
            passwords.Verify(password, PasswordHasher.UnknownUserHash);
        }
        else if (hashed.Any(u => passwords.Verify(password, u.PasswordHash!)))
        {
            // The address's user from this client: its other accounts' pairs, reserved just now, are cleared with it.
            foreach (var key in keys)
            {
                await lockout.SucceedAsync(key, cancellationToken).ConfigureAwait(false);
            }

            await lockout.AuthSucceededAsync(client, cancellationToken).ConfigureAwait(false);
            return new SmtpAuthVerdict(SmtpAuthOutcome.Accepted, new SmtpReply(235, "2.7.0", ["Authentication successful."]), TimeSpan.Zero);
        }

        foreach (var attempt in attempts)
        {
            await lockout.FailedAsync(attempt, PasswordPath.SmtpAuth, cancellationToken).ConfigureAwait(false);
        }

        return await RefusedAsync(SmtpAuthOutcome.Refused, new SmtpReply(535, "5.7.8", ["Authentication failed: check the user and password."]), client, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SmtpAuthVerdict> RefusedAsync(SmtpAuthOutcome outcome, SmtpReply reply, IPAddress? client, CancellationToken cancellationToken)
    {
        GatewayMetrics.AuthFailed();
        var failures = await lockout.AuthFailedAsync(client, cancellationToken).ConfigureAwait(false);
        var delay = _firstDelay * (1 << Math.Min(failures - 1, 3));
        await Task.Delay(delay, clock, cancellationToken).ConfigureAwait(false);
        return new SmtpAuthVerdict(outcome, reply, delay);
    }
}
