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

    [Fact]
    public async Task Without_it_a_proxy_header_cannot_claim_an_address()
    {
        await using var gateway = new RunningGateway();
        Assert.StartsWith("550 5.7.1 ops@behind.example is registered, but mail from 127.0.0.1 is not accepted", await SendThroughProxyAsync(gateway), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_proxy_header_from_an_untrusted_address_is_not_believed()
    {
        await using var gateway = new RunningGateway(o => o with { ProxyProtocol = true, TrustedProxies = [System.Net.IPNetwork.Parse("10.0.0.0/8")] });
        Assert.StartsWith("550 5.7.1", await SendThroughProxyAsync(gateway), StringComparison.Ordinal);
    }
}
