using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>SMTP AUTH (PLAIN, LOGIN), offered only after STARTTLS: a user of an account with its password.</summary>
internal sealed class GatewayUserAuthenticator(AccountStore accounts, Intake.PasswordVerifier passwords)
{
    public async Task<bool> AuthenticateAsync(SmtpSessionContext context, string user, string password, CancellationToken cancellationToken)
    {
        // Off the socket's thread: a slow hash takes tens of milliseconds, by design.
        await Task.Yield();
        var candidates = await accounts.SenderCandidatesAsync(user, cancellationToken).ConfigureAwait(false);
        if (candidates.Any(c => !c.IsPattern && c.PasswordHash is { } hash && passwords.Verify(password, hash)))
        {
            return true;
        }

        GatewayMetrics.AuthFailed();
        return false;
    }
}
