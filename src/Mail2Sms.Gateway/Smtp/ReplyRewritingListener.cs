using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
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
    private static readonly EndpointListenerFactory Inner = new();
    private readonly ConcurrentDictionary<IPAddress, int> _connections = new();

    private SmtpOptions Options { get; } = options;

    public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition) =>
        new Listener(Inner.CreateListener(endpointDefinition), this);

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
