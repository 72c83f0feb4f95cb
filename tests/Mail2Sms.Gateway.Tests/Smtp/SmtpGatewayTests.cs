using MailKit.Net.Smtp;
using MimeKit;

namespace Mail2Sms.Gateway.Tests.Smtp;

/// <summary>The SMTP listener on a real socket: replies asserted line by line, as a customer reads them in a bounce.</summary>
public sealed class SmtpGatewayTests : IAsyncLifetime, IAsyncDisposable
{
    private RunningGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = new RunningGateway();
        await _gateway.Accounts.AddAccountAsync("CI00000001", "AU", null, false, 100);
        await _gateway.Accounts.AllowIpAsync("CI00000001", "127.0.0.1");
        await _gateway.Accounts.AddUserAsync("CI00000001", "ops@example.com.au", "s3cret");
    }

    async Task IAsyncLifetime.DisposeAsync() => await _gateway.DisposeAsync();

    ValueTask IAsyncDisposable.DisposeAsync() => _gateway.DisposeAsync();

    private async Task<SmtpDialog> Dialog()
    {
        var dialog = await SmtpDialog.OpenAsync(_gateway.Port);
        Assert.StartsWith("250", await dialog.SendAsync("EHLO client.example.com.au"), StringComparison.Ordinal);
        return dialog;
    }

    [Fact]
    public async Task Recipients_are_refused_one_by_one_with_the_exact_reason_and_no_retry_count()
    {
        await using var smtp = await Dialog();
        Assert.StartsWith("250", await smtp.SendAsync("MAIL FROM:<ops@example.com.au>"), StringComparison.Ordinal);
        Assert.Equal("550 5.7.1 Relaying to someone@gmail.com is denied: this gateway accepts mail only for its own domains.",
            await smtp.SendAsync("RCPT TO:<someone@gmail.com>"));
        Assert.Equal("550 5.1.1 There is no mailbox sales@sms.localhost: send to <mobile number>@, smsgateway@, smsmail@ or bulksms@ at this domain.",
            await smtp.SendAsync("RCPT TO:<sales@sms.localhost>"));
        Assert.Equal("550 5.1.1 '0298765432' is a fixed-line number of AU, not a mobile number.",
            await smtp.SendAsync("RCPT TO:<0298765432@sms.localhost>"));
        Assert.StartsWith("250", await smtp.SendAsync("RCPT TO:<0412345678@sms.localhost>"), StringComparison.Ordinal);
        Assert.StartsWith("452 4.5.3 smsmail@sms.localhost asks for format 3", await smtp.SendAsync("RCPT TO:<smsmail@sms.localhost>"), StringComparison.Ordinal);
        for (var i = 0; i < 10; i++)
        {
            Assert.StartsWith("550 5.7.1", await smtp.SendAsync("RCPT TO:<x@example.org>"), StringComparison.Ordinal);
        }

        Assert.StartsWith("250", await smtp.SendAsync("RCPT TO:<0412345679@sms.localhost>"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_email_is_answered_250_only_once_it_is_committed()
    {
        await using var smtp = await Dialog();
        await smtp.SendAsync("MAIL FROM:<ops@example.com.au>");
        await smtp.SendAsync("RCPT TO:<0412345678@sms.localhost>");
        Assert.StartsWith("354", await smtp.SendAsync("DATA"), StringComparison.Ordinal);
        var reply = await smtp.SendAsync("From: ops@example.com.au\r\nSubject: System Alert\r\nMessage-ID: <a1@example.com.au>\r\n\r\nServer 23 is offline.\r\n.");
        Assert.Equal("250 2.0.0 Accepted: 1 SMS queued for 1 credit.", reply);
        var sms = Assert.Single(await _gateway.Dashboard.ListSmsAsync("CI00000001", null, 10));
        Assert.Equal(("61412345678", "System Alert Server 23 is offline.", "queued"), (sms.Number, sms.Text, sms.Status));
    }

    [Fact]
    public async Task A_refused_email_names_every_reason_on_a_line_of_its_own()
    {
        await using var smtp = await Dialog();
        await smtp.SendAsync("MAIL FROM:<stranger@example.org>");
        await smtp.SendAsync("RCPT TO:<0298765432@sms.localhost>");
        await smtp.SendAsync("RCPT TO:<6140900000@sms.localhost>");
        await smtp.SendAsync("DATA");
        var reply = await smtp.SendAsync("From: ops@example.com.au\r\nSubject: Alert\r\n\r\nDown\r\n.");
        Assert.Equal(
            "550-5.1.1 0298765432: '0298765432' is a fixed-line number of AU, not a mobile number.\n" +
            "550 5.1.1 6140900000: '6140900000' is not a valid mobile number: write it in international form with its country code, such as 61412345678.",
            reply);
        Assert.StartsWith("250", await smtp.SendAsync("RSET"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bounce_is_refused_after_data_so_postmaster_still_gets_bounces()
    {
        await using var smtp = await Dialog();
        Assert.StartsWith("250", await smtp.SendAsync("MAIL FROM:<>"), StringComparison.Ordinal);
        Assert.StartsWith("250", await smtp.SendAsync("RCPT TO:<0412345678@sms.localhost>"), StringComparison.Ordinal);
        await smtp.SendAsync("DATA");
        var reply = await smtp.SendAsync("From: MAILER-DAEMON@example.org\r\nSubject: Undelivered Mail\r\n\r\nSorry\r\n.");
        Assert.Equal("550 5.7.1 This email looks like an automatic reply (null MAIL FROM), and automatic replies never become SMS.", reply);
    }

    [Fact]
    public async Task A_mail_client_sends_through_the_gateway_and_a_resend_is_acknowledged_once()
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Ops", "ops@example.com.au"));
        message.To.Add(new MailboxAddress(string.Empty, "0412345678@sms.localhost"));
        message.Subject = "Disk full";
        message.MessageId = "resend-1@example.com.au";
        message.Body = new TextPart("plain") { Text = "[SENDER]\nID=CI00000001\nPW=s3cret\n\nOn db1, 2 GB left." };
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", _gateway.Port, MailKit.Security.SecureSocketOptions.None);
        Assert.StartsWith("2.0.0 Accepted: 1 SMS queued", await client.SendAsync(message), StringComparison.Ordinal);
        Assert.StartsWith("2.0.0 Already accepted", await client.SendAsync(message), StringComparison.Ordinal);
        await client.DisconnectAsync(quit: true);
        Assert.Equal("Disk full On db1, 2 GB left.", Assert.Single(await _gateway.Dashboard.ListSmsAsync(null, null, 10)).Text);
        Assert.Equal(99, (await _gateway.Accounts.FindAccountAsync("CI00000001"))!.Credits);
    }

    [Fact]
    public async Task Failed_entries_are_reported_to_the_originator_in_one_email_queued_with_the_acceptance()
    {
        await using var smtp = await Dialog();
        await smtp.SendAsync("MAIL FROM:<ops@example.com.au>");
        await smtp.SendAsync("RCPT TO:<smsgateway@sms.localhost>");
        await smtp.SendAsync("DATA");
        var reply = await smtp.SendAsync(
            "From: Ops <ops@example.com.au>\r\nSubject: SMS: rota\r\nMessage-ID: <rota-7@example.com.au>\r\n\r\n" +
            "[1]\r\nName=John\r\nNumber=0412345678\r\nMessage=You are on call.\r\n[2]\r\nName=Tom\r\nMessage=No number here\r\n.");
        Assert.Equal("250 2.0.0 Accepted: 1 SMS queued for 1 credit; 1 failed and will be reported to ops@example.com.au.", reply);

        var queued = Assert.Single(await _gateway.Outbox.QueuedAsync(10));
        Assert.Equal(("report", string.Empty, "ops@example.com.au"), (queued.Kind, queued.MailFrom, queued.RcptTo));
        var report = MimeMessage.Load(new MemoryStream(queued.Message));
        Assert.Equal("Not all of your SMS could be sent: SMS: rota", report.Subject);
        Assert.Equal("rota-7@example.com.au", report.InReplyTo);
        Assert.Equal("auto-generated", report.Headers[HeaderId.AutoSubmitted]);
        Assert.Equal("All", report.Headers["X-Auto-Response-Suppress"]);
        Assert.Contains("  [2] Name=Tom: The entry has no Number= line.", report.TextBody, StringComparison.Ordinal);
        Assert.Contains("1 SMS is on the way", report.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postmaster_mail_is_forwarded_to_the_operator_even_a_bounce()
    {
        await using var smtp = await Dialog();
        await smtp.SendAsync("MAIL FROM:<>");
        Assert.StartsWith("250", await smtp.SendAsync("RCPT TO:<Postmaster@sms.localhost>"), StringComparison.Ordinal);
        await smtp.SendAsync("DATA");
        Assert.Equal("250 2.0.0 Delivered to the postmaster.", await smtp.SendAsync("From: MAILER-DAEMON@example.org\r\nSubject: Undelivered\r\n\r\nbounce\r\n."));
        var queued = Assert.Single(await _gateway.Outbox.QueuedAsync(10));
        Assert.Equal(("postmaster", string.Empty, "operator@example.net"), (queued.Kind, queued.MailFrom, queued.RcptTo));
        Assert.Equal("Undelivered", MimeMessage.Load(new MemoryStream(queued.Message)).Subject);
    }

    // The test pins the gateway's own self-signed certificate rather than trusting any.
    private bool IsGatewayCertificate(object sender, System.Security.Cryptography.X509Certificates.X509Certificate? certificate, System.Security.Cryptography.X509Certificates.X509Chain? chain, System.Net.Security.SslPolicyErrors errors) =>
        certificate?.GetCertHashString() == _gateway.Gateway.Options.Certificate!.GetCertHashString();

    [Fact]
    public async Task Smtp_auth_is_offered_only_after_starttls()
    {
        await using var smtp = await SmtpDialog.OpenAsync(_gateway.Port);
        var ehlo = await smtp.SendAsync("EHLO client.example");
        Assert.Contains("STARTTLS", ehlo, StringComparison.Ordinal);
        Assert.DoesNotContain("AUTH", ehlo, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sender_on_hosted_mail_authenticates_with_smtp_auth_over_tls_1_3()
    {
        await _gateway.Accounts.AddAccountAsync("CI00000003", "AU", null, false, 10);
        await _gateway.Accounts.AddUserAsync("CI00000003", "relay@third.example", "r3lay");
        await _gateway.Accounts.AddUserAsync("CI00000003", "desk@third.example", null);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("desk@third.example"));
        message.To.Add(MailboxAddress.Parse("0412345678@sms.localhost"));
        message.Subject = "Hosted";
        message.Body = new TextPart("plain") { Text = "via AUTH" };

        using var client = new SmtpClient { ServerCertificateValidationCallback = IsGatewayCertificate };
        await client.ConnectAsync("127.0.0.1", _gateway.Port, MailKit.Security.SecureSocketOptions.StartTls);
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls13, client.SslProtocol);
        await Assert.ThrowsAsync<MailKit.Security.AuthenticationException>(() => client.AuthenticateAsync("relay@third.example", "wrong"));
        await client.AuthenticateAsync("relay@third.example", "r3lay");
        Assert.StartsWith("2.0.0 Accepted: 1 SMS queued", await client.SendAsync(message), StringComparison.Ordinal);
        await client.DisconnectAsync(quit: true);

        using var anonymous = new SmtpClient { ServerCertificateValidationCallback = IsGatewayCertificate };
        await anonymous.ConnectAsync("127.0.0.1", _gateway.Port, MailKit.Security.SecureSocketOptions.StartTls);
        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => anonymous.SendAsync(message));
        Assert.StartsWith("5.7.1 desk@third.example is registered, but mail from 127.0.0.1 is not accepted", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blocks_naming_another_customers_account_lock_out_only_the_stranger_and_that_customer_still_gets_through()
    {
        await _gateway.Accounts.AddAccountAsync("CI00000002", "AU", null, false, 10);
        await _gateway.Accounts.AddUserAsync("CI00000002", "desk@other.example", "pw2");
        async Task<string> Email(string from, string password, int n)
        {
            await using var smtp = await Dialog();
            await smtp.SendAsync($"MAIL FROM:<{from}>");
            await smtp.SendAsync("RCPT TO:<0412345678@sms.localhost>");
            await smtp.SendAsync("DATA");
            return await smtp.SendAsync($"From: {from}\r\nSubject: Alert {n}\r\nMessage-ID: <cross-{n}@example.com.au>\r\n\r\n[SENDER]\r\nID=CI00000001\r\nPW={password}\r\n\r\nServer down.\r\n.");
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("550 5.7.1 The account ID and password in the [SENDER] block are not those of desk@other.example: check both (the password is case-sensitive).",
                await Email("desk@other.example", "guess" + i, i));
        }

        Assert.Equal("451 4.7.1 Too many wrong passwords from 127.0.0.1: try again after 09:15 UTC.", await Email("desk@other.example", "s3cret", 5));
        Assert.Equal("250 2.0.0 Accepted: 1 SMS queued for 1 credit.", await Email("ops@example.com.au", "s3cret", 6));
    }

    [Fact]
    public async Task Smtp_auth_brute_force_is_locked_out_after_five_failures_and_the_right_password_then_gets_454_on_any_connection()
    {
        await _gateway.Accounts.AddAccountAsync("CI00000003", "AU", null, false, 10);
        await _gateway.Accounts.AddUserAsync("CI00000003", "relay@third.example", "r3lay");
        static string Plain(string user, string password) => "AUTH PLAIN " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"\0{user}\0{password}"));

        for (var connection = 0; connection < 2; connection++)
        {
            await using var smtp = await Dialog();
            await smtp.StartTlsAsync(_gateway.Gateway.Options.Certificate!);
            Assert.Contains("AUTH", await smtp.SendAsync("EHLO client.example"), StringComparison.Ordinal);
            for (var i = 0; i < 3 - connection; i++)
            {
                Assert.Equal("535 5.7.8 Authentication failed: check the user and password.", await smtp.SendAsync(Plain("relay@third.example", $"guess{connection}{i}")));
            }

            if (connection == 1)
            {
                Assert.Equal("454 4.7.0 Too many wrong passwords from 127.0.0.1: authentication is refused until 09:15 UTC, also with the right password.",
                    await smtp.SendAsync(Plain("relay@third.example", "r3lay")));
            }
        }

        _gateway.Clock.Advance(TimeSpan.FromMinutes(16));
        await using var later = await Dialog();
        await later.StartTlsAsync(_gateway.Gateway.Options.Certificate!);
        await later.SendAsync("EHLO client.example");
        Assert.Equal("235 2.7.0 Authentication successful.", await later.SendAsync(Plain("relay@third.example", "r3lay")));
    }

    [Theory]
    [InlineData("<user%other.example@sms.localhost>", "550 5.1.1 There is no mailbox")]
    [InlineData("<\"user@other.example\"@sms.localhost>", "550 5.1.1 There is no mailbox")]
    [InlineData("<user@other.example>", "550 5.7.1 Relaying to user@other.example is denied")]
    [InlineData("<user@sms.localhost.other.example>", "550 5.7.1 Relaying")]
    public async Task Relay_tricks_never_relay(string recipient, string expected)
    {
        await using var smtp = await Dialog();
        await smtp.SendAsync("MAIL FROM:<ops@example.com.au>");
        Assert.StartsWith(expected, await smtp.SendAsync($"RCPT TO:{recipient}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_source_routed_recipient_is_never_relayed()
    {
        await using var smtp = await Dialog();
        await smtp.SendAsync("MAIL FROM:<ops@example.com.au>");
        Assert.StartsWith("5", await smtp.SendAsync("RCPT TO:<@sms.localhost:user@other.example>"), StringComparison.Ordinal);
        Assert.Empty(await _gateway.Dashboard.ListSmsAsync(null, null, 10));
    }

    [Fact]
    public async Task Fifty_concurrent_connections_are_each_served()
    {
        var replies = await Task.WhenAll(Enumerable.Range(0, 50).Select(async n =>
        {
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse("ops@example.com.au"));
            message.To.Add(MailboxAddress.Parse("0412345678@sms.localhost"));
            message.Subject = $"Alert {n}";
            message.Body = new TextPart("plain") { Text = "concurrent" };
            using var client = new SmtpClient();
            await client.ConnectAsync("127.0.0.1", _gateway.Port, MailKit.Security.SecureSocketOptions.None);
            var reply = await client.SendAsync(message);
            await client.DisconnectAsync(quit: true);
            return reply;
        }));
        Assert.All(replies, r => Assert.Equal("2.0.0 Accepted: 1 SMS queued for 1 credit.", r));
        Assert.Equal(50, (await _gateway.Dashboard.ListSmsAsync(null, null, 100)).Count);
        Assert.Equal(50, (await _gateway.Accounts.FindAccountAsync("CI00000001"))!.Credits);
    }

    [Fact]
    public async Task A_store_that_fails_at_mail_from_answers_451_so_the_server_tries_again()
    {
        await using (var connection = await _gateway.Database.OpenAsync())
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, "ALTER TABLE users RENAME TO users_gone");
        }

        await using var smtp = await Dialog();
        Assert.Equal("451 4.3.0 The gateway could not accept the email just now; it will be accepted when your server tries again.",
            await smtp.SendAsync("MAIL FROM:<ops@example.com.au>"));
        Assert.Contains(_gateway.Errors, e => e.Message.Contains("no such table", StringComparison.Ordinal));
    }
}
