using System.Buffers;
using System.IO.Pipelines;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>A connection's pipes as the stream <see cref="System.Net.Security.SslStream"/> reads and writes at STARTTLS.</summary>
internal sealed class DuplexPipeStream(IDuplexPipe pipe) : Stream
{
    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await pipe.Input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var readable = result.Buffer;
            if (!readable.IsEmpty)
            {
                var count = (int)Math.Min(readable.Length, buffer.Length);
                readable.Slice(0, count).CopyTo(buffer.Span);
                pipe.Input.AdvanceTo(readable.GetPosition(count));
                return count;
            }

            pipe.Input.AdvanceTo(readable.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return 0;
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        await pipe.Output.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken) =>
        await pipe.Output.FlushAsync(cancellationToken).ConfigureAwait(false);

    public override void Flush() => throw new NotSupportedException("Synchronous I/O is not used on SMTP connections.");

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Synchronous I/O is not used on SMTP connections.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Synchronous I/O is not used on SMTP connections.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
