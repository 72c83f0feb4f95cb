using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Net;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>
/// Listens as SmtpServer does, and gives each session a pipe whose replies go through a
/// <see cref="ReplyWriter"/> and whose input goes through a <see cref="SessionInput"/> (timeouts and
/// the size of an email's data). A client address past its number of open connections is told
/// <c>421 4.7.0</c> in place of the greeting and disconnected.
/// </summary>
internal sealed class ReplyRewritingListenerFactory(SmtpOptions options) : IEndpointListenerFactory
{
    private readonly ConcurrentDictionary<IPAddress, int> _connections = new();

    private SmtpOptions Options { get; } = options;

    public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition) =>
        new Listener(new SocketListener(endpointDefinition), this);

    // SmtpServer's own listener, but with Nagle off on every connection: replies to pipelined commands
    // go out at once rather than waiting for the client's delayed ACK of the reply before (about 40 ms).
    private sealed class SocketListener : IEndpointListener
    {
        private readonly TcpListener _listener;

        public SocketListener(IEndpointDefinition endpoint)
        {
            _listener = new TcpListener(endpoint.Endpoint);
            _listener.Start();
        }

        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            var client = await _listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
            client.NoDelay = true;
            context.Properties.Add(EndpointListener.LocalEndPointKey, _listener.LocalEndpoint);
            context.Properties.Add(EndpointListener.RemoteEndPointKey, client.Client.RemoteEndPoint!);
            return new NetworkPipe(client);
        }

        public void Dispose() => _listener.Stop();
    }

    // A connection's pipe, which STARTTLS turns into one over TLS.
    private sealed class NetworkPipe(TcpClient client) : ISecurableDuplexPipe
    {
        private Stream _stream = client.GetStream();

        public PipeReader Input { get; private set; } = PipeReader.Create(client.GetStream());

        public PipeWriter Output { get; private set; } = PipeWriter.Create(client.GetStream());

        public bool IsSecure => _stream is SslStream;

        public SslProtocols SslProtocol => (_stream as SslStream)?.SslProtocol ?? SslProtocols.None;

        public async Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default)
        {
            var tls = new SslStream(_stream, leaveInnerStreamOpen: true);
            await tls.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions { ServerCertificate = certificate, EnabledSslProtocols = protocols, ClientCertificateRequired = false },
                cancellationToken).ConfigureAwait(false);
            _stream = tls;
            Input = PipeReader.Create(tls);
            Output = PipeWriter.Create(tls);
        }

        public void Dispose()
        {
            _stream.Dispose();
            client.Dispose();
        }
    }

    private sealed class Listener(IEndpointListener inner, ReplyRewritingListenerFactory factory) : IEndpointListener
    {
        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            var pipe = await inner.GetPipeAsync(context, cancellationToken).ConfigureAwait(false);
            var client = context.RemoteAddress();
            if (client is null)
            {
                return new Pipe(pipe, () => { }, factory.Options);
            }

            var open = factory._connections.AddOrUpdate(client, 1, (_, count) => count + 1);
            Action release = () => factory._connections.AddOrUpdate(client, 0, (_, count) => count - 1);
            if (open <= factory.Options.MaxConnectionsPerIp)
            {
                return new Pipe(pipe, release, factory.Options);
            }

            GatewayMetrics.ConnectionRefused();
            await pipe.Output.WriteAsync(Encoding.ASCII.GetBytes(
                $"421 4.7.0 Too many connections from {client} ({open - 1} open): try again when some have closed.\r\n"), cancellationToken).ConfigureAwait(false);
            return new RefusedPipe(pipe, release);
        }

        public void Dispose() => inner.Dispose();
    }

    // The session reads end-of-input at once and ends; its greeting goes nowhere.
    private sealed class RefusedPipe(ISecurableDuplexPipe inner, Action release) : ISecurableDuplexPipe
    {
        public PipeReader Input { get; } = PipeReader.Create(Stream.Null);

        public PipeWriter Output { get; } = PipeWriter.Create(Stream.Null);

        public bool IsSecure => false;

        public SslProtocols SslProtocol => SslProtocols.None;

        public Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public void Dispose()
        {
            release();
            inner.Dispose();
        }
    }

    private sealed class Pipe : ISecurableDuplexPipe
    {
        private readonly ISecurableDuplexPipe _inner;
        private readonly Action _release;
        private readonly SessionInput _input;

        public Pipe(ISecurableDuplexPipe inner, Action release, SmtpOptions options)
        {
            _inner = inner;
            _release = release;
            // STARTTLS replaces the inner pipe's reader and writer, so both ask for theirs at each use.
            var output = new ReplyWriter(() => _inner.Output, options.MaxMessageBytes, started => _input!.DataStarted(started));
            Output = output;
            _input = new SessionInput(() => _inner.Input, output, options.CommandTimeout, options.MaxMessageBytes);
        }

        public PipeReader Input => _input;

        public PipeWriter Output { get; }

        public bool IsSecure => _inner.IsSecure;

        public SslProtocols SslProtocol => _inner.SslProtocol;

        public Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default) =>
            _inner.UpgradeAsync(certificate, protocols, cancellationToken);

        public void Dispose()
        {
            _input.Dispose();
            _release();
            _inner.Dispose();
        }
    }
}
