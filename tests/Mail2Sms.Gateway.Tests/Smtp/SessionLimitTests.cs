using System.Net.Sockets;
using System.Text;
using Dapper;
using Mail2Sms.Tests.Shared;

namespace Mail2Sms.Gateway.Tests.Smtp;

/// <summary>Too large and too silent: each answered with a reply a person can read, then the connection closes.</summary>
public sealed class SessionLimitTests : IAsyncDisposable
{
    private const string TooLarge = "552 5.3.4 The email is larger than this gateway accepts (2,000 bytes): send a smaller one, or split a CSV file.";
    private readonly RunningGateway _gateway = Open(TimeSpan.FromSeconds(2));

    // For the size tests: a command timeout no pause of a loaded machine between the pieces can reach.
    private readonly RunningGateway _patient = Open(TimeSpan.FromSeconds(60));

    private static RunningGateway Open(TimeSpan commandTimeout)
    {
        var gateway = new RunningGateway(o => o with { MaxMessageBytes = 2000, CommandTimeout = commandTimeout });
        gateway.Accounts.AddAccountAsync("CI00000001", "AU", null, false, 100).GetAwaiter().GetResult();
        gateway.Accounts.AllowIpAsync("CI00000001", "127.0.0.1").GetAwaiter().GetResult();
        gateway.Accounts.AddUserAsync("CI00000001", "ops@example.com", null).GetAwaiter().GetResult();
        return gateway;
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _patient.DisposeAsync();
    }

    private static string Email(int bodyBytes) =>
        $"From: ops@example.com\r\nSubject: Alert\r\nMessage-ID: <{Guid.NewGuid()}@example.com>\r\n\r\n{string.Join("\r\n", Enumerable.Repeat(new string('x', 98), bodyBytes / 100))}\r\n";

    // A raw client: the dialog up to 354, then the data in the pieces given; returns everything the server said after 354, to its close.
    private static async Task<string> SendInPiecesAsync(RunningGateway gateway, params string[] pieces)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", gateway.Port);
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        async Task<string> Line() => await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) ?? "<closed>";
        await Line();
        foreach (var command in new[] { "EHLO client.example.com", "MAIL FROM:<ops@example.com>", "RCPT TO:<0412345678@sms.localhost>", "DATA" })
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
            while ((await Line()) is { Length: > 3 } line && line[3] == '-')
            {
            }
        }

        foreach (var piece in pieces)
        {
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(piece));
                await Task.Delay(50); // a slow client's pace between pieces (nothing is asserted on time)
            }
            catch (IOException)
            {
                break; // the server closed while data was still coming: what it said is what matters
            }
        }

        var said = new List<string>();
        while (await Line() is var line && line != "<closed>")
        {
            said.Add(line);
        }

        return string.Join('\n', said);
    }

    private static async Task<long> QueuedSms(RunningGateway gateway)
    {
        await using var connection = await gateway.Database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM sms");
    }

    [Fact]
    public async Task An_email_over_the_limit_sent_at_once_is_answered_552_and_nothing_is_queued()
    {
        Assert.Equal(TooLarge, await SendInPiecesAsync(_patient, Email(5000) + ".\r\nQUIT\r\n"));
        Assert.Equal(0, await QueuedSms(_patient));
    }

    [Fact]
    public async Task An_email_over_the_limit_sent_in_pieces_is_read_to_its_final_dot_then_answered_552()
    {
        var email = Email(20_000);
        var pieces = Enumerable.Range(0, email.Length / 1000 + 1).Select(i => email.Substring(i * 1000, Math.Min(1000, email.Length - (i * 1000)))).ToList();
        // The final dot's line split across two writes.
        pieces.Add("\r\n.");
        pieces.Add("\r\n");
        Assert.Equal(TooLarge, await SendInPiecesAsync(_patient, [.. pieces]));
        Assert.Equal(0, await QueuedSms(_patient));
    }

    [Fact]
    public async Task An_email_within_the_limit_with_the_next_commands_pipelined_behind_it_is_accepted()
    {
        var said = await SendInPiecesAsync(_patient, Email(1500) + ".\r\n" + string.Concat(Enumerable.Repeat("NOOP\r\n", 100)) + "QUIT\r\n");
        Assert.StartsWith("250 2.0.0 Accepted: 1 SMS queued for 1 credit.", said, StringComparison.Ordinal);
        Assert.EndsWith("221 2.0.0 Bye", said, StringComparison.Ordinal);
        Assert.Equal(1, await QueuedSms(_patient));
    }

    [Fact]
    public async Task A_client_that_falls_silent_in_the_middle_of_an_email_is_told_421_4_4_2()
    {
        Assert.Equal("421 4.4.2 Nothing arrived for 2 seconds: closing the connection.", await SendInPiecesAsync(_gateway, "From: ops@example.com\r\nSubject: half"));
        Assert.Equal(0, await QueuedSms(_gateway));
    }

    [Fact]
    public async Task A_client_that_says_nothing_is_told_421_4_4_2()
    {
        await using var dialog = await SmtpDialog.OpenAsync(_gateway.Port);
        Assert.Equal("250 2.0.0 Ok", await dialog.SendAsync("NOOP"));
        Assert.Equal("421 4.4.2 Nothing arrived for 2 seconds: closing the connection.", await dialog.ReadReplyAsync());
    }

    [Fact]
    public async Task A_client_that_pipelines_commands_and_never_reads_its_replies_is_cut_after_the_command_timeout()
    {
        // A small receive window, so the replies back up into the gateway's flush rather than into this socket.
        using var client = new TcpClient { ReceiveBufferSize = 4096 };
        await client.ConnectAsync("127.0.0.1", _gateway.Port);
        var stream = client.GetStream();
        var noops = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("NOOP\r\n", 64 * 1024)));
        var flooding = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < 16; i++)
                {
                    await stream.WriteAsync(noops); // 6 MB of NOOP: their 13 MB of replies fill every buffer on the way back
                }
            }
            catch (IOException)
            {
                // cut off, as it should be
            }
        });

        // Nothing is read here: the gateway's flush waits, and only the flush's timeout can end the session.
        await Waits.UntilAsync(() => _gateway.Gateway.OpenConnections == 0, "the gateway closed the connection");
        var buffer = new byte[64 * 1024];
        try
        {
            while (await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30)) > 0)
            {
            }
        }
        catch (IOException)
        {
            // reset by the gateway's abort: closed all the same
        }

        await flooding.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
