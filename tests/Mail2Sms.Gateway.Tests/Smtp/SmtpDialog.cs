using System.Net.Sockets;
using System.Text;

namespace Mail2Sms.Gateway.Tests.Smtp;

/// <summary>A raw SMTP client over a socket, to assert reply lines exactly.</summary>
public sealed class SmtpDialog : IAsyncDisposable
{
    private readonly TcpClient _client = new();
    private StreamReader _reader = null!;
    private Stream _stream = null!;

    /// <summary>Connects and reads the greeting; <paramref name="firstLine"/> (a PROXY header) is sent before it, as a load balancer does.</summary>
    public static async Task<SmtpDialog> OpenAsync(int port, string? firstLine = null)
    {
        var dialog = new SmtpDialog();
        await dialog._client.ConnectAsync("127.0.0.1", port);
        dialog._stream = dialog._client.GetStream();
        dialog._reader = new StreamReader(dialog._stream, Encoding.UTF8);
        if (firstLine is not null)
        {
            await dialog._stream.WriteAsync(Encoding.ASCII.GetBytes(firstLine + "\r\n"));
        }

        await dialog.ReadReplyAsync();
        return dialog;
    }

    /// <summary>Sends one line and returns the whole reply, its lines joined with LF.</summary>
    public async Task<string> SendAsync(string line)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"));
        return await ReadReplyAsync();
    }

    /// <summary>After <c>220</c> to <c>STARTTLS</c>: the rest of the dialog over TLS, trusting only the certificate <paramref name="isServer"/> accepts.</summary>
    public async Task StartTlsAsync(System.Net.Security.RemoteCertificateValidationCallback isServer)
    {
        var tls = new System.Net.Security.SslStream(_stream, leaveInnerStreamOpen: false, isServer);
        await tls.AuthenticateAsClientAsync("sms.localhost");
        _stream = tls;
        _reader = new StreamReader(tls, Encoding.UTF8);
    }

    public async Task<string> ReadReplyAsync()
    {
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var line = await _reader.ReadLineAsync(timeout.Token) ?? throw new IOException("The server closed the connection.");
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-')
            {
                return string.Join('\n', lines);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }
}
