namespace Mail2Sms.Gateway.Tests.Smtp;

/// <summary>Behind a load balancer, the PROXY header gives the client's address, but only when configured.</summary>
public sealed class ProxyProtocolTests
{
    private static async Task<string> SendThroughProxyAsync(RunningGateway gateway)
    {
        await gateway.Accounts.AddAccountAsync("CI00000009", "AU", null, false, 10);
        await gateway.Accounts.AllowIpAsync("CI00000009", "203.0.113.0/24");
        await gateway.Accounts.AddUserAsync("CI00000009", "ops@behind.example", null);
        await using var smtp = await SmtpDialog.OpenAsync(gateway.Port, firstLine: $"PROXY TCP4 203.0.113.9 127.0.0.1 40000 {gateway.Port}");
        await smtp.SendAsync("EHLO lb.example");
        await smtp.SendAsync("MAIL FROM:<ops@behind.example>");
        await smtp.SendAsync("RCPT TO:<0412345678@sms.localhost>");
        await smtp.SendAsync("DATA");
        return await smtp.SendAsync("From: ops@behind.example\r\nSubject: Alert\r\n\r\nDown\r\n.");
    }

    [Fact]
    public async Task With_the_proxy_protocol_on_the_client_address_comes_from_the_trusted_load_balancer()
    {
        await using var gateway = new RunningGateway(o => o with { ProxyProtocol = true });
        Assert.Equal("250 2.0.0 Accepted: 1 SMS queued for 1 credit.", await SendThroughProxyAsync(gateway));
    }

    // Refused rather than ignored: a balancer left out of Smtp:TrustedProxies (or with Smtp:ProxyProtocol off) fails
    // at once and visibly, instead of every client behind it being taken for the balancer's address.
    private const string NotBelieved = "421 4.7.0 A PROXY header is accepted only from a trusted load balancer (Smtp:TrustedProxies, Smtp:ProxyProtocol): closing the connection.";

    private static async Task AssertRefusedAsync(RunningGateway gateway)
    {
        await using var smtp = await SmtpDialog.OpenAsync(gateway.Port, firstLine: $"PROXY TCP4 203.0.113.9 127.0.0.1 40000 {gateway.Port}");
        Assert.Equal(NotBelieved, await smtp.ReadReplyAsync());
        await Assert.ThrowsAsync<IOException>(smtp.ReadReplyAsync);
    }

    [Fact]
    public async Task Without_it_a_proxy_header_is_refused_and_claims_no_address()
    {
        await using var gateway = new RunningGateway();
        await AssertRefusedAsync(gateway);
    }

    [Fact]
    public async Task A_proxy_header_from_an_untrusted_address_is_refused()
    {
        await using var gateway = new RunningGateway(o => o with { ProxyProtocol = true, TrustedProxies = [System.Net.IPNetwork.Parse("10.0.0.0/8")] });
        await AssertRefusedAsync(gateway);
    }

    [Fact]
    public async Task A_trusted_balancer_that_sends_no_valid_header_is_told_so()
    {
        await using var gateway = new RunningGateway(o => o with { ProxyProtocol = true });
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync("127.0.0.1", gateway.Port);
        await client.GetStream().WriteAsync("EHLO lb.example\r\n"u8.ToArray());
        using var reader = new StreamReader(client.GetStream());
        Assert.Equal("421 4.7.0 The load balancer sent no valid PROXY header (v1): closing the connection.", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Null(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_trusted_balancers_header_past_107_octets_gets_one_reply_and_its_own_reason()
    {
        await using var gateway = new RunningGateway(o => o with { ProxyProtocol = true });
        var (badBefore, untrustedBefore) = (GatewayMetrics.SmtpRefusals(SmtpRefusal.BadProxyHeader), GatewayMetrics.SmtpRefusals(SmtpRefusal.UntrustedProxy));
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync("127.0.0.1", gateway.Port);
        await client.GetStream().WriteAsync(System.Text.Encoding.ASCII.GetBytes("PROXY TCP4 " + new string('9', 200) + "\r\n"));
        using var reader = new StreamReader(client.GetStream());
        Assert.Equal("421 4.7.0 The load balancer sent no valid PROXY header (v1): closing the connection.", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Null(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        // A misconfigured balancer of the operator's own, not a stranger's claim: counted apart.
        Assert.Equal((badBefore + 1, untrustedBefore), (GatewayMetrics.SmtpRefusals(SmtpRefusal.BadProxyHeader), GatewayMetrics.SmtpRefusals(SmtpRefusal.UntrustedProxy)));
    }

    [Fact]
    public async Task Behind_a_trusted_balancer_the_per_ip_cap_counts_each_proxy_source_never_the_balancer()
    {
        await using var gateway = new RunningGateway(o => o with { ProxyProtocol = true, MaxConnectionsPerIp = 2 });
        var dialogs = new List<SmtpDialog>();
        try
        {
            // 100 clients through the balancer (127.0.0.1), each its own address: none is refused.
            for (var i = 0; i < 100; i++)
            {
                var dialog = await SmtpDialog.OpenAsync(gateway.Port, firstLine: $"PROXY TCP4 198.51.100.{i + 1} 127.0.0.1 40000 {gateway.Port}");
                dialogs.Add(dialog);
                Assert.Equal("250 2.0.0 Ok", await dialog.SendAsync("NOOP"));
            }

            // The cap applies to the address the header gives.
            dialogs.Add(await SmtpDialog.OpenAsync(gateway.Port, firstLine: $"PROXY TCP4 198.51.100.1 127.0.0.1 40001 {gateway.Port}"));
            Assert.Equal("250 2.0.0 Ok", await dialogs[^1].SendAsync("NOOP"));
            using var third = new System.Net.Sockets.TcpClient();
            await third.ConnectAsync("127.0.0.1", gateway.Port);
            await third.GetStream().WriteAsync(System.Text.Encoding.ASCII.GetBytes($"PROXY TCP4 198.51.100.1 127.0.0.1 40002 {gateway.Port}\r\n"));
            using var reader = new StreamReader(third.GetStream());
            Assert.Equal("421 4.7.0 Too many connections from 198.51.100.1 (2 open): try again when some have closed.", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            foreach (var dialog in dialogs)
            {
                await dialog.DisposeAsync();
            }
        }
    }
}
