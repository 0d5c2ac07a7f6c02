using System.Buffers;

namespace Newsletter.Delivery;

/// <summary>
/// Holds what MailKit writes until it flushes, so that a digest goes to the socket in one write instead of one per
/// 4 KiB block (MailKit's own buffer): on a connection with TCP_NODELAY each of those writes is a packet, and on the
/// same machine each packet wakes the server and runs its side of TCP in the sender's system call. MailKit flushes
/// after every command group and at the end of a message's data, before it waits for a reply; a read flushes too,
/// so nothing written can wait behind a read for the server's answer. Past the buffer's size, writes go straight
/// through (a large message is not held whole).
/// </summary>
public sealed class CoalescingStream(Stream inner, int capacity = CoalescingStream.DefaultCapacity) : Stream
{
    public const int DefaultCapacity = 64 * 1024;

    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(capacity);
    private int _count;

    public override bool CanRead => inner.CanRead;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override bool CanTimeout => inner.CanTimeout;

    public override int ReadTimeout
    {
        get => inner.ReadTimeout;
        set => inner.ReadTimeout = value;
    }

    public override int WriteTimeout
    {
        get => inner.WriteTimeout;
        set => inner.WriteTimeout = value;
    }

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (TryHold(buffer))
        {
            return;
        }
        Flush();
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (TryHold(buffer.Span))
        {
            return;
        }
        await FlushAsync(cancellationToken);
        await inner.WriteAsync(buffer, cancellationToken);
    }

    /// <summary>Adds the bytes to what is held, if they fit.</summary>
    private bool TryHold(ReadOnlySpan<byte> bytes)
    {
        var held = Buffer();
        if (_count + bytes.Length > held.Length)
        {
            return false;
        }
        bytes.CopyTo(held.AsSpan(_count));
        _count += bytes.Length;
        return true;
    }

    public override void Flush()
    {
        if (_count > 0)
        {
            var count = _count;
            _count = 0; // a failed write is not written again: the connection is dropped after any I/O error
            inner.Write(Buffer(), 0, count);
        }
        inner.Flush();
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_count > 0)
        {
            var count = _count;
            _count = 0;
            await inner.WriteAsync(Buffer().AsMemory(0, count), cancellationToken);
        }
        await inner.FlushAsync(cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_count > 0)
        {
            Flush();
        }
        return inner.Read(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_count > 0)
        {
            await FlushAsync(cancellationToken);
        }
        return await inner.ReadAsync(buffer, cancellationToken);
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private byte[] Buffer() => _buffer ?? throw new ObjectDisposedException(nameof(CoalescingStream));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // what was never flushed is dropped with the connection: MailKit flushes all it means to send
            inner.Dispose();
            if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        base.Dispose(disposing);
    }
}
