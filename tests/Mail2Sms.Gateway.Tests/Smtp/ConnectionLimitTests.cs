namespace Mail2Sms.Gateway.Tests.Smtp;

public sealed class ConnectionLimitTests
{
    [Fact]
    public async Task A_client_past_its_open_connections_is_told_421_and_a_closed_one_frees_a_place()
    {
        await using var gateway = new RunningGateway(o => o with { MaxConnectionsPerIp = 2 });
        await using var first = await SmtpDialog.OpenAsync(gateway.Port);
        var second = await SmtpDialog.OpenAsync(gateway.Port);

        var refused = new System.Net.Sockets.TcpClient();
        await refused.ConnectAsync("127.0.0.1", gateway.Port);
        using (var reader = new StreamReader(refused.GetStream()))
        {
            Assert.Equal("421 4.7.0 Too many connections from 127.0.0.1 (2 open): try again when some have closed.", await reader.ReadLineAsync());
            Assert.Null(await reader.ReadLineAsync());
        }

        refused.Dispose();
        Assert.StartsWith("221", await second.SendAsync("QUIT"), StringComparison.Ordinal);
        await second.DisposeAsync();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        string greeting;
        do
        {
            var again = new System.Net.Sockets.TcpClient();
            await again.ConnectAsync("127.0.0.1", gateway.Port);
            using var reader = new StreamReader(again.GetStream());
            greeting = await reader.ReadLineAsync() ?? string.Empty;
            again.Dispose();
        }
        while (!greeting.StartsWith("220", StringComparison.Ordinal) && DateTime.UtcNow < deadline);

        Assert.StartsWith("220", greeting, StringComparison.Ordinal);
    }
}
