using Mail2Sms.Gateway.Intake;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>SMTP AUTH (PLAIN, LOGIN), offered only after STARTTLS: a user of an account with its password, under the password lockout.</summary>
internal sealed class GatewayUserAuthenticator(SmtpAuthChecker checker)
{
    public Task<SmtpAuthVerdict> AuthenticateAsync(SmtpSessionContext context, string user, string password, CancellationToken cancellationToken) =>
        checker.CheckAsync(user, password, context.ClientAddress, cancellationToken);
}
