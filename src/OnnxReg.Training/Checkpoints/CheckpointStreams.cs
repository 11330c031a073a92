using System.Security.Cryptography;

namespace OnnxReg.Training.Checkpoints;

// The streams a checkpoint is written and read through: hashed as written, counted before a blob, and read as a
// window of the file that ends where the checksum starts (CheckpointFormat).

// Passes writes through to the destination and into a SHA-256 of everything written.
internal sealed class HashingStream(Stream destination) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    // Outlives the stream's disposal (which the checkpoint writer does): the hash is read after everything was flushed.
    public byte[] Hash()
    {
        using (_hash) return _hash.GetHashAndReset();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.AppendData(buffer);
        destination.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush() { } // the destination is flushed to disk by its owner (AtomicFile)

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

// Counts what is written to it, passing it on to an inner stream if there is one.
internal sealed class CountingStream(Stream? inner) : Stream
{
    private long _length;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _length += buffer.Length;
        inner?.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    public override void Flush() => inner?.Flush();
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

// A read-only view of [offset, offset + length) of a seekable stream, which it owns: what the reader parses is the
// checkpoint's body, so "the end" is where the checksum starts.
internal sealed class WindowStream(Stream inner, long offset, long length) : Stream
{
    private long _position;

    public override int Read(byte[] buffer, int start, int count) => Read(buffer.AsSpan(start, count));

    public override int Read(Span<byte> buffer)
    {
        int count = (int)Math.Min(buffer.Length, length - _position);
        if (count <= 0) return 0;
        inner.Position = offset + _position;
        int read = inner.Read(buffer[..count]);
        _position += read;
        return read;
    }

    public override long Seek(long to, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => to,
        SeekOrigin.Current => _position + to,
        _ => length + to,
    };

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => _position = value is >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int start, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
