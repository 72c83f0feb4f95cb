using Mail2Sms.Gateway.Intake;
using SmtpServer;
using SmtpServer.Authentication;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>SMTP AUTH (PLAIN, LOGIN), offered only after STARTTLS: a user of an account with its password, under the password lockout.</summary>
internal sealed class GatewayUserAuthenticator(SmtpAuthChecker checker, SmtpOptions options) : IUserAuthenticator
{
    public async Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken)
    {
        var verdict = await checker.CheckAsync(user, password, GatewayMessageStore.ClientAddress(context, options), cancellationToken).ConfigureAwait(false);
        // A refusal is our reply, not SmtpServer's (which counts attempts and names no enhanced code).
        return verdict.IsAccepted ? true : throw new SmtpServer.Protocol.SmtpResponseException(SmtpReplies.From(verdict.Reply));
    }
}
