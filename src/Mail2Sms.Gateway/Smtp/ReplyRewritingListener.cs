using System.IO.Pipelines;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Net;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>Listens as SmtpServer does, and gives each session a pipe whose replies go through a <see cref="ReplyWriter"/>.</summary>
internal sealed class ReplyRewritingListenerFactory : IEndpointListenerFactory
{
    public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition) =>
        new Listener(Inner.CreateListener(endpointDefinition));

    private static readonly EndpointListenerFactory Inner = new();

    private sealed class Listener(IEndpointListener inner) : IEndpointListener
    {
        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken) =>
            new Pipe(await inner.GetPipeAsync(context, cancellationToken).ConfigureAwait(false));

        public void Dispose() => inner.Dispose();
    }

    private sealed class Pipe : ISecurableDuplexPipe
    {
        private readonly ISecurableDuplexPipe _inner;

        public Pipe(ISecurableDuplexPipe inner)
        {
            _inner = inner;
            // STARTTLS replaces the inner pipe's writer, so the reply writer asks for it at each flush.
            Output = new ReplyWriter(() => _inner.Output);
        }

        public PipeReader Input => _inner.Input;

        public PipeWriter Output { get; }

        public bool IsSecure => _inner.IsSecure;

        public SslProtocols SslProtocol => _inner.SslProtocol;

        public Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default) =>
            _inner.UpgradeAsync(certificate, protocols, cancellationToken);

        public void Dispose() => _inner.Dispose();
    }
}
