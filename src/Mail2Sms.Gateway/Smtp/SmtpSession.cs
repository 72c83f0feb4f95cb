using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>
/// One SMTP connection, from the PROXY header and greeting to QUIT: commands read line by line from
/// the connection's pipe, each line capped (nothing is kept past the cap), each reply written as it
/// is decided and flushed when the client has no more commands waiting (PIPELINING). The gateway's
/// heartbeat ends a session that waits too long for input or lasts too long (<see cref="CheckTimeouts"/>).
/// </summary>
internal sealed class SmtpSession : IAsyncDisposable
{
    private const int ProxyHeaderOctets = 107; // the PROXY protocol's v1 maximum, CRLF included

    private readonly SmtpGateway _gateway;
    private readonly SmtpOptions _options;
    private readonly ConnectionContext _connection;
    private readonly SmtpSessionContext _context;
    private readonly long _startedAt = Environment.TickCount64;
    private readonly CancellationToken _stopping;
    private PipeReader _input;
    private PipeWriter _output;
    private SslStream? _tls;
    private bool _greeted;
    private bool _unflushed;
    private SequencePosition _lineEnd;
    private SequencePosition _bufferEnd;
    private bool _moreNeeded;

    // Read by the heartbeat: when the pending read or flush began (0 when none), whether it waits for a command, why the session ended.
    private long _readingSince;
    private long _writingSince;
    private volatile bool _awaitingCommand;
    private int _expired = -1;
    private TimeSpan _expiredAfter;

    public SmtpSession(SmtpGateway gateway, ConnectionContext connection, CancellationToken stopping)
    {
        _gateway = gateway;
        _options = gateway.Options;
        _connection = connection;
        _stopping = stopping;
        _input = connection.Transport.Input;
        _output = connection.Transport.Output;
        var peer = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        _context = new SmtpSessionContext(peer is { IsIPv4MappedToIPv6: true } ? peer.MapToIPv4() : peer);
    }

    private enum Line
    {
        Read,
        TooLong,
        Closed,
        Expired,
    }

    private enum Answer
    {
        Given,
        Cancelled,
        TooLong,
        Ended,
    }

    /// <summary>Called about once a second: ends a read or a flush that waited past its timeout, or a session past its whole limit.</summary>
    public void CheckTimeouts(long now, bool stressed)
    {
        var writing = Volatile.Read(ref _writingSince);
        if (writing != 0 && now - writing > _options.CommandTimeout.TotalMilliseconds)
        {
            // A client that does not take its replies: nothing more can be said to it, so it is cut at once.
            if (Interlocked.CompareExchange(ref _expired, (int)SmtpRefusal.CommandTimeout, -1) == -1)
            {
                GatewayMetrics.SmtpRefused(SmtpRefusal.CommandTimeout);
            }

            _connection.Abort();
            return;
        }

        if (now - _startedAt > _options.MaxSession.TotalMilliseconds)
        {
            Expire(SmtpRefusal.SessionTimeout, _options.MaxSession);
            if (now - _startedAt > (_options.MaxSession + _options.CommandTimeout).TotalMilliseconds)
            {
                _connection.Abort(); // not even reading: a client that never takes its replies
            }

            return;
        }

        var since = Volatile.Read(ref _readingSince);
        var timeout = stressed && _awaitingCommand && SmtpOptions.StressCommandTimeout < _options.CommandTimeout ? SmtpOptions.StressCommandTimeout : _options.CommandTimeout;
        if (since != 0 && now - since > timeout.TotalMilliseconds)
        {
            Expire(SmtpRefusal.CommandTimeout, timeout);
        }
    }

    private void Expire(SmtpRefusal reason, TimeSpan after)
    {
        if (Interlocked.CompareExchange(ref _expired, (int)reason, -1) == -1)
        {
            _expiredAfter = after;
            _input.CancelPendingRead();
        }
    }

    /// <summary>Ends the session at once (the gateway is stopping).</summary>
    public void Abort() => _connection.Abort();

    public async ValueTask DisposeAsync()
    {
        if (_tls is not null)
        {
            await _tls.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task RunAsync()
    {
        if (!await ReadProxyHeaderAsync().ConfigureAwait(false))
        {
            return;
        }

        // Counted on the PROXY header's address behind a trusted balancer, never on the balancer's.
        var client = _context.ClientAddress;
        var open = _gateway.OpenFrom(client);
        try
        {
            if (open > _options.MaxConnectionsPerIp)
            {
                GatewayMetrics.SmtpRefused(SmtpRefusal.PerIp);
                await LastReplyAsync(SmtpReplies.TooManyFromClient(client, open - 1)).ConfigureAwait(false);
                return;
            }

            await ServeAsync().ConfigureAwait(false);
        }
        finally
        {
            _gateway.ClosedFrom(client);
        }
    }

    // Behind a trusted load balancer the PROXY header comes first, before the greeting; false when the session ends here.
    private async Task<bool> ReadProxyHeaderAsync()
    {
        IPAddress? source = null;
        if (!_options.ProxyProtocol || _context.RemoteAddress is not { } peer || !_options.TrustedProxies.Any(n => n.Contains(peer)))
        {
            return true;
        }

        var (read, line) = await ReadLineAsync(ProxyHeaderOctets, command: true, skipTooLong: false).ConfigureAwait(false);
        if (read is Line.Closed or Line.Expired)
        {
            await EndAsync(read).ConfigureAwait(false);
            return false;
        }

        var parsed = read == Line.Read && ProxyHeader.TryParse(line, out source);
        if (read == Line.Read)
        {
            Consume(_lineEnd);
        }

        if (!parsed)
        {
            GatewayMetrics.SmtpRefused(SmtpRefusal.BadProxyHeader);
            await LastReplyAsync(SmtpReplies.BadProxyHeader).ConfigureAwait(false);
            return false;
        }

        _context.ClientAddress = source ?? peer;
        return true;
    }

    private async Task ServeAsync()
    {
        Write(_gateway.Greeting);
        while (true)
        {
            var (read, line) = await ReadLineAsync(SmtpCommand.MaxLineOctets, command: true).ConfigureAwait(false);
            if (read == Line.TooLong)
            {
                continue;
            }

            if (read != Line.Read)
            {
                await EndAsync(read).ConfigureAwait(false);
                return;
            }

            var parsed = SmtpCommand.TryParse(line, out var command);
            if (!await ExecuteAsync(parsed, command).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    // Answers one command; the line is consumed here (its bytes are valid until then). False when the session is over.
    private async Task<bool> ExecuteAsync(bool parsed, SmtpCommand command)
    {
        if (!parsed)
        {
            Consume(_lineEnd);
            GatewayMetrics.SmtpRefused(SmtpRefusal.SyntaxError);
            Write(command.Verb switch
            {
                SmtpVerb.Mail => SmtpReplies.MailSyntax,
                SmtpVerb.Rcpt => SmtpReplies.RcptSyntax,
                SmtpVerb.Ehlo or SmtpVerb.Helo => SmtpReplies.HeloSyntax,
                _ => SmtpReplies.SyntaxError,
            });
            return true;
        }

        switch (command.Verb)
        {
            case SmtpVerb.Auth:
                return await AuthenticateAsync(command.Argument).ConfigureAwait(false);
            case SmtpVerb.StartTls:
                return await StartTlsAsync().ConfigureAwait(false);
        }

        Consume(_lineEnd);
        switch (command.Verb)
        {
            case SmtpVerb.Ehlo or SmtpVerb.Helo:
                _greeted = true;
                _context.Reset();
                Write(command.Verb == SmtpVerb.Ehlo ? (_context.IsSecure ? _gateway.SecureEhlo : _gateway.Ehlo) : _gateway.Helo);
                return true;
            case SmtpVerb.Mail:
                await MailAsync(command).ConfigureAwait(false);
                return true;
            case SmtpVerb.Rcpt:
                Rcpt(command);
                return true;
            case SmtpVerb.Data:
                return await DataAsync().ConfigureAwait(false);
            case SmtpVerb.Rset:
                _context.Reset();
                Write(SmtpReplies.Ok);
                return true;
            case SmtpVerb.Noop:
                Write(SmtpReplies.Ok);
                return true;
            case SmtpVerb.Vrfy:
                Write(SmtpReplies.Vrfy);
                return true;
            case SmtpVerb.Quit:
                await LastReplyAsync(SmtpReplies.Bye).ConfigureAwait(false);
                return false;
            case SmtpVerb.Proxy:
                // Believed only first thing from a trusted balancer: here it is a claim nobody vouches for.
                GatewayMetrics.SmtpRefused(SmtpRefusal.UntrustedProxy);
                await LastReplyAsync(SmtpReplies.UntrustedProxy).ConfigureAwait(false);
                return false;
            default:
                GatewayMetrics.SmtpRefused(SmtpRefusal.UnknownCommand);
                Write(SmtpReplies.Unrecognized);
                return true;
        }
    }

    private async Task MailAsync(SmtpCommand command)
    {
        if (!_greeted)
        {
            Refuse(SmtpRefusal.BadSequence, SmtpReplies.HeloFirst);
        }
        else if (_context.MailFrom is not null)
        {
            Refuse(SmtpRefusal.BadSequence, SmtpReplies.NestedMail);
        }
        else if (command.Size > _options.MaxMessageBytes)
        {
            Write(SmtpReplies.Encode(SmtpReplies.TooLarge(_options.MaxMessageBytes)));
        }
        else if (await _gateway.Filter.CanAcceptFromAsync(_context, command.Address!, command.Size, _stopping).ConfigureAwait(false) is { } refusal)
        {
            Write(SmtpReplies.Encode(refusal));
        }
        else
        {
            Write(SmtpReplies.Ok);
        }
    }

    private void Rcpt(SmtpCommand command)
    {
        if (_context.MailFrom is null)
        {
            Refuse(SmtpRefusal.BadSequence, SmtpReplies.MailFirst);
        }
        else if (_gateway.Filter.CanDeliverTo(_context, command.Address!) is { } refusal)
        {
            Write(SmtpReplies.Encode(refusal));
        }
        else
        {
            Write(SmtpReplies.Ok);
        }
    }

    private async Task<bool> DataAsync()
    {
        if (_context.MailFrom is null || _context.Recipients.Count == 0)
        {
            Refuse(SmtpRefusal.BadSequence, _context.MailFrom is null ? SmtpReplies.MailFirst : SmtpReplies.RcptFirst);
            return true;
        }

        Write(SmtpReplies.StartData);
        using var data = new MessageData(_options.MaxMessageBytes, _options.MaxHeaderBytes, _context.DeclaredSize, _gateway.DataBuffers);
        while (true)
        {
            var read = await ReadAsync(awaitingCommand: false).ConfigureAwait(false);
            if (read is not { } result)
            {
                await EndAsync(Line.Expired).ConfigureAwait(false);
                return false;
            }

            if (data.Read(result.Buffer, result.IsCompleted, out var consumed))
            {
                Consume(consumed);
                break;
            }

            if (result.IsCompleted)
            {
                return false; // the client left in the middle of its email: nothing is kept
            }

            AwaitMore(consumed, result.Buffer.End);
        }

        switch (data.State)
        {
            case DataEnd.TooLarge:
                await LastReplyAsync(SmtpReplies.Encode(SmtpReplies.TooLarge(_options.MaxMessageBytes))).ConfigureAwait(false);
                return false;
            case DataEnd.HeaderTooLarge:
                GatewayMetrics.SmtpRefused(SmtpRefusal.HeaderTooLarge);
                await LastReplyAsync(SmtpReplies.Encode(SmtpReplies.HeaderTooLarge(_options.MaxHeaderBytes))).ConfigureAwait(false);
                return false;
            case DataEnd.GatewayBusy:
                _context.Reset();
                Refuse(SmtpRefusal.DataBudget, SmtpReplies.GatewayBusy);
                return true;
        }

        var reply = await _gateway.Store.SaveAsync(_context, data.Data, _stopping).ConfigureAwait(false);
        _context.Reset();
        Write(SmtpReplies.Encode(reply));
        return true;
    }

    // RFC 3207: the reply, then the handshake; whatever the client sent behind STARTTLS is dropped, never read as if it came over TLS.
    private async Task<bool> StartTlsAsync()
    {
        if (_context.IsSecure || _options.Certificate is not { } certificate)
        {
            Consume(_lineEnd);
            Refuse(SmtpRefusal.BadSequence, _context.IsSecure ? SmtpReplies.TlsActive : SmtpReplies.TlsUnavailable);
            return true;
        }

        Consume(_bufferEnd);
        Write(SmtpReplies.ReadyForTls);
        await FlushAsync().ConfigureAwait(false);
        _tls = new SslStream(new DuplexPipeStream(_connection.Transport), leaveInnerStreamOpen: false);
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        handshake.CancelAfter(_options.CommandTimeout);
        try
        {
            await _tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificateRequired = false,
            }, handshake.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            return false; // a failed handshake leaves nothing to say a reply over
        }

        _input = PipeReader.Create(_tls);
        _output = PipeWriter.Create(_tls);
        _context.IsSecure = true;
        _context.Reset();
        _greeted = false;
        return true;
    }

    private async Task<bool> AuthenticateAsync(ReadOnlySequence<byte> argument)
    {
        // RFC 4954 4: after STARTTLS the client must say EHLO again before AUTH.
        if (!_context.IsSecure || !_greeted || _context.AuthenticatedUser is not null || _context.MailFrom is not null)
        {
            Consume(_lineEnd);
            Refuse(!_context.IsSecure ? SmtpRefusal.TlsRequired : SmtpRefusal.BadSequence,
                !_context.IsSecure ? SmtpReplies.TlsFirst : !_greeted ? SmtpReplies.HeloFirst
                : _context.AuthenticatedUser is not null ? SmtpReplies.AlreadyAuthenticated : SmtpReplies.AuthInTransaction);
            return true;
        }

        var space = argument.PositionOf((byte)' ');
        var mechanism = Encoding.ASCII.GetString(space is { } end ? argument.Slice(0, end) : argument).ToUpperInvariant();
        var initial = space is { } at ? Base64Text(argument.Slice(argument.GetPosition(1, at))) : null;
        Consume(_lineEnd);
        if (mechanism is not ("PLAIN" or "LOGIN"))
        {
            Write(SmtpReplies.UnknownMechanism);
            return true;
        }

        var (step, first) = initial is not null ? (Answer.Given, initial)
            : await ChallengeAsync(mechanism == "PLAIN" ? SmtpReplies.PlainChallenge : SmtpReplies.UserChallenge).ConfigureAwait(false);
        string? user = null;
        string? password = null;
        if (step == Answer.Given && mechanism == "PLAIN")
        {
            (user, password) = DecodePlain(first!);
        }
        else if (step == Answer.Given && (user = Decode(first!)) is not null)
        {
            (step, var second) = await ChallengeAsync(SmtpReplies.PasswordChallenge).ConfigureAwait(false);
            password = step == Answer.Given ? Decode(second!) : null;
        }

        switch (step)
        {
            case Answer.Ended:
                return false;
            case Answer.Cancelled:
                Write(SmtpReplies.AuthCancelled);
                return true;
            case Answer.TooLong:
                return true; // its 500 went out
        }

        if (user is null || password is null)
        {
            Write(SmtpReplies.MalformedAuth);
            return true;
        }

        var verdict = await _gateway.Authenticator.CheckAsync(user, password, _context.ClientAddress, _stopping).ConfigureAwait(false);
        if (verdict.IsAccepted)
        {
            _context.AuthenticatedUser = user;
        }

        Write(SmtpReplies.Encode(verdict.Reply));

        return true;
    }

    // A challenge, and the client's base64 answer to it.
    private async Task<(Answer, string?)> ChallengeAsync(byte[] challenge)
    {
        Write(challenge);
        var (read, line) = await ReadLineAsync(SmtpCommand.MaxAuthLineOctets, command: false).ConfigureAwait(false);
        switch (read)
        {
            case Line.Closed or Line.Expired:
                await EndAsync(read).ConfigureAwait(false);
                return (Answer.Ended, null);
            case Line.TooLong:
                return (Answer.TooLong, null);
        }

        var text = Base64Text(line);
        Consume(_lineEnd);
        return text == "*" ? (Answer.Cancelled, null) : (Answer.Given, text);
    }

    private static string Base64Text(ReadOnlySequence<byte> line) => Encoding.ASCII.GetString(line).Trim();

    private static string? Decode(string base64)
    {
        var bytes = FromBase64(base64);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static byte[]? FromBase64(string base64)
    {
        var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(base64.Length)];
        return Convert.TryFromBase64String(base64, bytes, out var written) ? bytes[..written] : null;
    }

    // RFC 4616: [authorization identity] NUL authentication identity NUL password.
    private static (string? User, string? Password) DecodePlain(string base64) =>
        Decode(base64)?.Split('\0') is [_, var user, var password] && user.Length > 0 ? (user, password) : (null, null);

    private void Refuse(SmtpRefusal reason, byte[] reply)
    {
        GatewayMetrics.SmtpRefused(reason);
        Write(reply);
    }

    private void Write(byte[] reply)
    {
        _output.Write(reply);
        _unflushed = true;
    }

    private async ValueTask FlushAsync()
    {
        _unflushed = false;
        Volatile.Write(ref _writingSince, Environment.TickCount64);
        try
        {
            await _output.FlushAsync(_stopping).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _writingSince, 0);
        }
    }

    private async Task LastReplyAsync(byte[] reply)
    {
        Write(reply);
        await FlushAsync().ConfigureAwait(false);
        await _output.CompleteAsync().ConfigureAwait(false);
    }

    private async Task EndAsync(Line why)
    {
        if (why != Line.Expired)
        {
            return; // the client left
        }

        var reason = (SmtpRefusal)_expired;
        GatewayMetrics.SmtpRefused(reason);
        await LastReplyAsync(reason == SmtpRefusal.SessionTimeout ? SmtpReplies.SessionTooLong(_expiredAfter) : SmtpReplies.Silent(_expiredAfter)).ConfigureAwait(false);
    }

    // What is buffered, without waiting; else the replies go out first and the heartbeat times the wait. Null once expired.
    private async ValueTask<ReadResult?> ReadAsync(bool awaitingCommand)
    {
        if (!_moreNeeded && _input.TryRead(out var buffered))
        {
            return buffered.IsCanceled ? null : buffered;
        }

        if (_unflushed)
        {
            await FlushAsync().ConfigureAwait(false);
        }

        _awaitingCommand = awaitingCommand;
        Volatile.Write(ref _readingSince, Environment.TickCount64);
        var result = await _input.ReadAsync().ConfigureAwait(false);
        Volatile.Write(ref _readingSince, 0);
        _moreNeeded = false;
        return result.IsCanceled ? null : result;
    }

    // Done with the input up to consumed; what follows it (a pipelined command) is read next without waiting.
    private void Consume(SequencePosition consumed) => _input.AdvanceTo(consumed);

    // Everything buffered was looked at: the next read waits for more.
    private void AwaitMore(SequencePosition consumed, SequencePosition examined)
    {
        _input.AdvanceTo(consumed, examined);
        _moreNeeded = true;
    }

    // One line of at most maxOctets, CRLF included (an AUTH command's cap is larger, known from its first bytes). Past the cap the
    // refusal goes out at once and the rest of the line is read and dropped up to its LF; unless skipTooLong is false (the PROXY
    // header), then TooLong returns at once and the caller gives the one reply. A line read stays in the pipe until the caller
    // advances to _lineEnd.
    private async ValueTask<(Line Read, ReadOnlySequence<byte> Text)> ReadLineAsync(int maxOctets, bool command, bool skipTooLong = true)
    {
        var discarding = false;
        while (true)
        {
            if (await ReadAsync(command && !discarding).ConfigureAwait(false) is not { } result)
            {
                return (Line.Expired, default);
            }

            var buffer = result.Buffer;
            SequencePosition? lf;
            if (!discarding)
            {
                var cap = command && maxOctets == SmtpCommand.MaxLineOctets && StartsWithAuth(buffer) ? SmtpCommand.MaxAuthLineOctets : maxOctets;
                lf = buffer.Slice(0, Math.Min(buffer.Length, cap)).PositionOf((byte)'\n');
                if (lf is { } end)
                {
                    _lineEnd = buffer.GetPosition(1, end);
                    _bufferEnd = buffer.End;
                    var line = buffer.Slice(0, end);
                    return (Line.Read, line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r' ? line.Slice(0, line.Length - 1) : line);
                }

                if (buffer.Length >= cap)
                {
                    if (!skipTooLong)
                    {
                        return (Line.TooLong, default);
                    }

                    GatewayMetrics.SmtpRefused(SmtpRefusal.LineTooLong);
                    Write(SmtpReplies.LineTooLong(cap));
                    discarding = true;
                }
            }

            if (discarding)
            {
                if (buffer.PositionOf((byte)'\n') is { } end)
                {
                    Consume(buffer.GetPosition(1, end));
                    return (Line.TooLong, default);
                }

                if (result.IsCompleted)
                {
                    return (Line.Closed, default);
                }

                Consume(buffer.End);
                continue;
            }

            if (result.IsCompleted)
            {
                return (Line.Closed, default);
            }

            AwaitMore(buffer.Start, buffer.End);
        }
    }

    private static bool StartsWithAuth(ReadOnlySequence<byte> buffer)
    {
        Span<byte> head = stackalloc byte[5];
        if (buffer.Length < head.Length)
        {
            return false;
        }

        buffer.Slice(0, head.Length).CopyTo(head);
        return Ascii.EqualsIgnoreCase(head, "AUTH "u8);
    }
}
