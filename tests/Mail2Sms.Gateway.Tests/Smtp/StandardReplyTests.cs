namespace Mail2Sms.Gateway.Tests.Smtp;

/// <summary>The SMTP layer's own fixed replies, as a client reads them: each with its enhanced status code.</summary>
public sealed class StandardReplyTests
{
    [Fact]
    public async Task Every_fixed_reply_carries_an_enhanced_status_code_the_ehlo_reply_announces()
    {
        await using var gateway = new RunningGateway(o => o with { MaxMessageBytes = 1000 });
        await using var dialog = await SmtpDialog.OpenAsync(gateway.Port);
        Assert.Contains("250-ENHANCEDSTATUSCODES", (await dialog.SendAsync("EHLO client.example.com")).Split('\n'));
        Assert.Equal("250 2.0.0 Ok", await dialog.SendAsync("NOOP"));
        Assert.Equal("502 5.5.1 Unrecognized command.", await dialog.SendAsync("BOGUS"));
        Assert.Equal("552 5.3.4 The email is larger than this gateway accepts (1,000 bytes): send a smaller one, or split a CSV file.",
            await dialog.SendAsync("MAIL FROM:<ops@example.com> SIZE=5000"));
        Assert.Equal("250 2.0.0 Ok", await dialog.SendAsync("MAIL FROM:<ops@example.com> SIZE=500"));
        Assert.Equal("250 2.0.0 Ok", await dialog.SendAsync("RCPT TO:<0412345678@sms.localhost>"));
        Assert.Equal("250 2.0.0 Ok", await dialog.SendAsync("RSET"));
        Assert.Equal("221 2.0.0 Bye", await dialog.SendAsync("QUIT"));
    }

    [Fact]
    public async Task The_greeting_does_not_name_the_smtp_librarys_version()
    {
        await using var gateway = new RunningGateway();
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync("127.0.0.1", gateway.Port);
        using var reader = new StreamReader(client.GetStream());
        Assert.Equal("220 mail2sms ESMTP ready", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
