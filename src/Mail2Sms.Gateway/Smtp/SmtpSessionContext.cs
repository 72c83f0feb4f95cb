using System.Net;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Numbers;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>What one SMTP session knows of its client and of the email under way, as the recipient rules, intake and AUTH read it.</summary>
internal sealed class SmtpSessionContext(IPAddress? remoteAddress)
{
    /// <summary>The address of the connecting socket's peer (a load balancer's, behind one).</summary>
    public IPAddress? RemoteAddress { get; } = remoteAddress;

    /// <summary>The client's address: the peer's, or the one a trusted load balancer's PROXY header gives.</summary>
    public IPAddress? ClientAddress { get; set; } = remoteAddress;

    /// <summary>True once STARTTLS has succeeded.</summary>
    public bool IsSecure { get; set; }

    /// <summary>The SMTP AUTH user, once authenticated.</summary>
    public string? AuthenticatedUser { get; set; }

    /// <summary>The envelope sender of the email under way (empty for the null sender); null outside a transaction.</summary>
    public string? MailFrom { get; private set; }

    /// <summary>The recipients admitted so far.</summary>
    public List<Recipient> Recipients { get; } = [];

    /// <summary>How format 1 numbers are checked at RCPT TO, when the sender's account is known then.</summary>
    public PhoneNumberRules? NumberRules { get; set; }

    /// <summary>The SIZE= the client declared, a hint for the data's buffer.</summary>
    public long? DeclaredSize { get; private set; }

    /// <summary>Begins an email's transaction (MAIL FROM).</summary>
    public void Begin(string mailFrom, long? declaredSize)
    {
        Reset();
        MailFrom = mailFrom;
        DeclaredSize = declaredSize;
    }

    /// <summary>Ends the email's transaction (RSET, EHLO, after DATA, a refused MAIL FROM).</summary>
    public void Reset()
    {
        MailFrom = null;
        DeclaredSize = null;
        NumberRules = null;
        Recipients.Clear();
    }
}
