using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Mail2Sms.Gateway.Smtp;
using Mail2Sms.Tests.Shared;

namespace Mail2Sms.Gateway.Tests.Smtp;

/// <summary>An email's data after <c>354</c>, over a real socket: where it ends, where its header section ends, whatever the reads split.</summary>
public sealed class SmtpDataTests
{
    private static async Task<RunningGateway> GatewayWithSenderAsync(Func<SmtpOptions, SmtpOptions>? configure = null)
    {
        var gateway = new RunningGateway(configure);
        await gateway.Accounts.AddAccountAsync("CI00000001", "AU", null, false, 100);
        await gateway.Accounts.AllowIpAsync("CI00000001", "127.0.0.1");
        await gateway.Accounts.AddUserAsync("CI00000001", "ops@example.com", null);
        return gateway;
    }

    // A raw connection at 354, Nagle off so each write leaves as its own segment.
    private static async Task<(TcpClient Client, NetworkStream Stream, StreamReader Reader)> AtDataAsync(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        Assert.Equal("220 mail2sms ESMTP ready", await LineAsync(reader));
        await stream.WriteAsync("EHLO client.example\r\nMAIL FROM:<ops@example.com>\r\nRCPT TO:<0412345678@sms.localhost>\r\nDATA\r\n"u8.ToArray());
        while (await LineAsync(reader) is var line && !line.StartsWith("354", StringComparison.Ordinal))
        {
            Assert.StartsWith("250", line, StringComparison.Ordinal);
        }

        return (client, stream, reader);
    }

    private static async Task<string> LineAsync(StreamReader reader) =>
        await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) ?? "<closed>";

    [Fact]
    public async Task A_bare_lf_before_a_dot_does_not_end_the_data_so_no_command_can_be_smuggled_behind_it()
    {
        await using var gateway = await GatewayWithSenderAsync();
        var (client, stream, reader) = await AtDataAsync(gateway.Port);
        using (client)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                "From: ops@example.com\r\nSubject: Disk\r\n\r\nDisk full\n.\r\n" +
                "MAIL FROM:<ops@example.com>\r\nRCPT TO:<0412345679@sms.localhost>\r\nDATA\r\nSubject: smuggled\r\n\r\nsmuggled\r\n.\r\nQUIT\r\n"));
            Assert.Equal("250 2.0.0 Accepted: 1 SMS queued for 1 credit.", await LineAsync(reader));
            Assert.Equal("221 2.0.0 Bye", await LineAsync(reader));
        }

        // One email, to the one recipient of the real transaction: the injected lines were its text.
        Assert.Single(await gateway.Dashboard.ListSmsAsync(null, null, 10));
    }

    [Fact]
    public async Task A_blank_line_whose_cr_and_lf_arrive_in_two_reads_still_ends_the_header_section()
    {
        await using var gateway = await GatewayWithSenderAsync(o => o with { MaxHeaderBytes = 1024 });
        var (client, stream, reader) = await AtDataAsync(gateway.Port);
        using (client)
        {
            for (var i = 0; i < 3; i++)
            {
                if (i > 0)
                {
                    await stream.WriteAsync("MAIL FROM:<ops@example.com>\r\nRCPT TO:<0412345678@sms.localhost>\r\nDATA\r\n"u8.ToArray());
                    Assert.Equal(("250 2.0.0 Ok", "250 2.0.0 Ok", "354 Start mail input; end with <CRLF>.<CRLF>"), (await LineAsync(reader), await LineAsync(reader), await LineAsync(reader)));
                }

                await stream.WriteAsync(Encoding.ASCII.GetBytes($"From: ops@example.com\r\nSubject: Disk {i}\r\n\r"));
                await stream.FlushAsync();
                // Shapes the traffic, as a slow client does (nothing is asserted on time): the gateway's read ends on the CR.
                await Task.Delay(TimeSpan.FromMilliseconds(100));
                // A body four times the header cap: counted as header, it would be refused 552 5.3.4.
                await stream.WriteAsync(Encoding.ASCII.GetBytes("\nDisk full\r\n" + string.Concat(Enumerable.Repeat("filler line of the body\r\n", 160)) + ".\r\n"));
                Assert.Equal("250 2.0.0 Accepted: 1 SMS queued for 1 credit.", await LineAsync(reader));
            }
        }

        Assert.Equal(3, (await gateway.Dashboard.ListSmsAsync(null, null, 20)).Count);
    }

    [Fact]
    public void A_cr_at_the_end_of_a_read_waits_for_its_lf_so_neither_the_header_end_nor_the_final_dot_is_missed()
    {
        // The socket test above cannot force where the transport splits; here the split is exact.
        using var data = new MessageData(10_000, 64, null, new DataBufferBudget(1024 * 1024));
        var first = new ReadOnlySequence<byte>("Subject: x\r\n\r"u8.ToArray());
        Assert.False(data.Read(first, isCompleted: false, out var consumed));
        Assert.Equal(first.GetPosition(12), consumed);
        var body = "\r\nbody\r\n" + string.Concat(Enumerable.Repeat("a body line past the header cap\r\n", 4)) + "last\r";
        var second = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(body));
        Assert.False(data.Read(second, isCompleted: false, out consumed));
        Assert.Equal(second.GetPosition(body.Length - 1), consumed);
        Assert.True(data.Read(new ReadOnlySequence<byte>("\r\n.\r\n"u8.ToArray()), isCompleted: false, out _));
        Assert.Equal(DataEnd.Complete, data.State);
        Assert.Equal("Subject: x\r\n" + body[..^1] + "\r\n", Encoding.ASCII.GetString(data.Data));
    }

    [Fact]
    public async Task Data_past_the_gateways_buffer_budget_is_read_to_its_end_and_answered_452_and_the_budget_comes_back_on_every_path()
    {
        // 96 KB for every session together: one email held in 64 KB leaves too little for a second to grow to 64 KB.
        await using var gateway = await GatewayWithSenderAsync(o => o with { MaxDataBufferBytes = 96 * 1024 });
        var busyBefore = GatewayMetrics.SmtpRefusals(SmtpRefusal.DataBudget);
        var email = Encoding.ASCII.GetBytes("From: ops@example.com\r\nSubject: Disk\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('x', 38) + "\r\n", 1000)));
        var budget = gateway.Gateway.DataBuffers;

        var (first, firstStream, firstReader) = await AtDataAsync(gateway.Port);
        var (second, secondStream, secondReader) = await AtDataAsync(gateway.Port);
        using (first)
        using (second)
        {
            await firstStream.WriteAsync(email);
            await Waits.UntilAsync(() => budget.Held == 64 * 1024, "the first email holds 64 KB");
            await secondStream.WriteAsync(email);
            await secondStream.WriteAsync(".\r\nNOOP\r\n"u8.ToArray());
            Assert.Equal("452 4.3.1 The gateway is busy with other emails: try again in a few minutes.", await LineAsync(secondReader));
            Assert.Equal("250 2.0.0 Ok", await LineAsync(secondReader));

            await firstStream.WriteAsync(".\r\n"u8.ToArray());
            Assert.Equal("250 2.0.0 Accepted: 1 SMS queued for 1 credit.", await LineAsync(firstReader));

            // SIZE= of 5 MB is a claim, not data: the buffer starts within the budget and grows as the email arrives.
            await secondStream.WriteAsync("MAIL FROM:<ops@example.com> SIZE=5000000\r\nRCPT TO:<0412345678@sms.localhost>\r\nDATA\r\n"u8.ToArray());
            Assert.Equal(("250 2.0.0 Ok", "250 2.0.0 Ok", "354 Start mail input; end with <CRLF>.<CRLF>"), (await LineAsync(secondReader), await LineAsync(secondReader), await LineAsync(secondReader)));
            await secondStream.WriteAsync(email);
            await secondStream.WriteAsync(".\r\n"u8.ToArray());
            Assert.Equal("250 2.0.0 Accepted: 1 SMS queued for 1 credit.", await LineAsync(secondReader));
        }

        // A client that leaves in the middle of its email gives its buffer back too.
        var (third, thirdStream, _) = await AtDataAsync(gateway.Port);
        using (third)
        {
            await thirdStream.WriteAsync(email);
            await Waits.UntilAsync(() => budget.Held == 64 * 1024, "the third email holds 64 KB");
        }

        await Waits.UntilAsync(() => budget.Held == 0, "every buffer given back");
        Assert.Equal(busyBefore + 1, GatewayMetrics.SmtpRefusals(SmtpRefusal.DataBudget));
        Assert.Equal(2, (await gateway.Dashboard.ListSmsAsync(null, null, 10)).Count);
    }
}
