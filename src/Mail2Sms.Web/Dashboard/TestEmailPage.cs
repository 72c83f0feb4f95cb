using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using MimeKit;

namespace Mail2Sms.Web.Dashboard;

/// <summary>
/// A test email, sent from the browser to this gateway's own SMTP listener over loopback, as a customer's
/// mail client would send it: the operator sees the SMTP reply the customer would get and follows the SMS
/// on the messages page, without a shell or a mail client. It comes from this machine (127.0.0.1 when the listener
/// listens on every address, else the listener's own address), so it authenticates as an
/// account that allows this machine (the demo's does), or is refused with the reason a customer would read.
/// </summary>
internal static class TestEmailPage
{
    public static IResult Form(HttpContext context, GatewayState state) =>
        Page(context, state, new TestEmail(state.TestSender ?? string.Empty, string.Empty, "System Alert", "Server 23 is offline."), result: null, StatusCodes.Status200OK);

    public static async Task<IResult> SendAsync(HttpContext context, GatewayState state, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
        {
            return Results.Text("The form had expired; reload the page and try again.", statusCode: StatusCodes.Status400BadRequest);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var email = new TestEmail(form["from"].ToString().Trim(), form["to"].ToString().Trim(), form["subject"].ToString(), form["body"].ToString());
        if (state.Smtp is not { } smtp)
        {
            return Page(context, state, email, Alert("This gateway's web side runs without its SMTP listener."), StatusCodes.Status503ServiceUnavailable);
        }

        if (!MailboxAddress.TryParse(email.From, out var from) || email.To.Length == 0)
        {
            return Page(context, state, email, Alert("Give the sender's address and a mobile number (or a whole recipient address)."),
                StatusCodes.Status400BadRequest);
        }

        var to = email.To.Contains('@', StringComparison.Ordinal) ? email.To : $"{email.To.Replace(" ", string.Empty, StringComparison.Ordinal)}@{state.Domains[0]}";
        var message = new MimeMessage([from], [], email.Subject, new TextPart("plain") { Text = email.Body });
        message.To.Add(MailboxAddress.TryParse(to, out var recipient) ? recipient : new MailboxAddress(string.Empty, to));
        var result = new Html();
        var status = StatusCodes.Status200OK;
        try
        {
            using var client = new SmtpClient { Timeout = 30_000 };
            await client.ConnectAsync(smtp.Host, smtp.Port, SecureSocketOptions.None, context.RequestAborted).ConfigureAwait(false);
            var answer = await client.SendAsync(message, context.RequestAborted).ConfigureAwait(false);
            await client.DisconnectAsync(quit: true, context.RequestAborted).ConfigureAwait(false);
            var digits = new string([.. email.To.TakeWhile(c => c != '@').Where(char.IsAsciiDigit)]);
            result.Add($"""
                <p class="notice" role="status" id="smtp-reply">250 {answer}</p>
                <p>Follow it: <a id="follow" href="{DashboardEndpoints.Root}/messages?number={Uri.EscapeDataString(digits)}">the SMS to {digits}</a>.</p>
                """);
        }
        catch (SmtpCommandException e)
        {
            // Refused: what a customer's mail client would show.
            status = StatusCodes.Status422UnprocessableEntity;
            result.Add($"""<p class="problem" role="alert" id="smtp-reply">{(int)e.StatusCode} {e.Message}</p>""");
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or SmtpProtocolException or ServiceNotConnectedException or TimeoutException)
        {
            status = StatusCodes.Status502BadGateway;
            result.Add($"""<p class="problem" role="alert" id="smtp-reply">The SMTP listener at {smtp.Host}:{smtp.Port} did not answer: {e.Message}</p>""");
        }

        return Page(context, state, email, result.ToMarkup(), status);
    }

    private static IResult Page(HttpContext context, GatewayState state, TestEmail email, Html.Markup? result, int status)
    {
        var body = new Html();
        if (result is { } shown)
        {
            body.Add($"{shown}");
        }

        var smtpAt = state.Smtp is { } smtp ? $"{smtp.Host}:{smtp.Port}" : "(none)";

        body.Add($"""
            <p>Sends an email to this gateway's SMTP listener at {smtpAt} from this machine, as a customer's mail client would, and shows the gateway's answer.
            It is charged to the account the sender authenticates as, which must allow this machine{(state.TestSender is null ? "." : "; the demo account takes any address @example.com.")}</p>
            <form method="post" action="{DashboardEndpoints.Root}/test-email" class="edit" id="test-email">{Layout.AntiforgeryField(context)}
            <label>From <input name="from" id="test-from" required value="{email.From}" placeholder="you@example.com"></label>
            <label>To (mobile) <input name="to" id="test-to" required value="{email.To}" placeholder="61412345678"></label>
            <label>@{state.Domains[0]}</label>
            <label>Subject <input name="subject" id="test-subject" value="{email.Subject}"></label>
            <label>Body <textarea name="body" id="test-body" rows="3" cols="40">{Core.Formats.SenderPasswordMask.MaskText(email.Body)}</textarea></label>
            <button type="submit" id="send-test">Send</button>
            </form>
            """);
        return Layout.Page(context, "Send a test email", body, status);
    }

    private static Html.Markup Alert(string problem)
    {
        var alert = new Html();
        Layout.Problem(alert, problem);
        return alert.ToMarkup();
    }

    private sealed record TestEmail(string From, string To, string Subject, string Body);
}
