using System.Buffers.Binary;
using System.Net;
using System.Numerics;
using System.Text;
using OnnxReg.Data.IO;

namespace OnnxReg.Training.Callbacks;

/// <summary>
/// One TensorBoard event file, written as TensorFlow writes it: TFRecord framing (length, masked CRC-32C of the length,
/// an <c>Event</c> protobuf, masked CRC-32C of it), a first event carrying the file version, then one event per scalar.
/// Wall times are Unix seconds, and so is the file's name (<c>events.out.tfevents.SECONDS.HOST.PID.N</c>), as
/// TensorBoard orders files and shows relative time by them. The file is created new (never through a link, never
/// over an existing file) and flushed after each <see cref="WriteScalars"/> call so a running TensorBoard sees epochs
/// as they end.
/// </summary>
internal sealed class TensorBoardEventFile : IDisposable
{
    private static int _counter;
    private readonly FileStream _stream;

    private TensorBoardEventFile(FileStream stream, string path) => (_stream, Path) = (stream, path);

    /// <summary>The file written.</summary>
    public string Path { get; }

    /// <summary>Creates a new event file in <paramref name="folder"/> (made if missing) and writes its version record.</summary>
    public static TensorBoardEventFile Create(string folder)
    {
        Directory.CreateDirectory(folder);
        double now = UnixSeconds();
        string name = $"events.out.tfevents.{(long)now}.{Dns.GetHostName()}.{Environment.ProcessId}.{Interlocked.Increment(ref _counter)}";
        var path = System.IO.Path.Combine(folder, name);
        if (File.Exists(path) || Directory.Exists(path))
            throw new IOException($"The event file '{path}' already exists; TensorBoard logs are never overwritten.");
        var file = new TensorBoardEventFile(NoFollowFile.OpenOrCreate(path, "TensorBoard event file"), path);
        file.Write(Event(now, 0, fileVersion: "brain.Event:2", summary: null));
        file._stream.Flush();
        return file;
    }

    /// <summary>Appends one scalar per (tag, value) at <paramref name="step"/>, stamped now, and flushes.</summary>
    public void WriteScalars(long step, IEnumerable<(string Tag, float Value)> scalars)
    {
        double now = UnixSeconds();
        foreach (var (tag, value) in scalars)
            Write(Event(now, step, fileVersion: null, summary: Summary(tag, value)));
        _stream.Flush();
    }

    public void Dispose() => _stream.Dispose();

    private static double UnixSeconds() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;

    private void Write(byte[] record)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)record.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc(record));
        _stream.Write(header);
        _stream.Write(record);
        _stream.Write(footer);
    }

    /// <summary>TFRecord's checksum: CRC-32C, rotated right by 15 bits plus a constant.</summary>
    internal static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        crc ^= 0xFFFFFFFF;
        return ((crc >> 15) | (crc << 17)) + 0xA282EAD8;
    }

    // Event: wall_time = 1 (double), step = 2 (int64), file_version = 3 (string), summary = 5 (Summary).
    private static byte[] Event(double wallTime, long step, string? fileVersion, byte[]? summary)
    {
        using var buffer = new MemoryStream();
        buffer.WriteByte(1 << 3 | 1);
        Span<byte> bits = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(bits, wallTime);
        buffer.Write(bits);
        if (step != 0)
        {
            buffer.WriteByte(2 << 3);
            Varint(buffer, (ulong)step);
        }
        if (fileVersion is not null) Bytes(buffer, 3, Encoding.UTF8.GetBytes(fileVersion));
        if (summary is not null) Bytes(buffer, 5, summary);
        return buffer.ToArray();
    }

    // Summary: value = 1 (Value); Value: tag = 1 (string), simple_value = 2 (float).
    private static byte[] Summary(string tag, float value)
    {
        using var entry = new MemoryStream();
        Bytes(entry, 1, Encoding.UTF8.GetBytes(tag));
        entry.WriteByte(2 << 3 | 5);
        Span<byte> bits = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bits, value);
        entry.Write(bits);
        using var summary = new MemoryStream();
        Bytes(summary, 1, entry.ToArray());
        return summary.ToArray();
    }

    private static void Bytes(Stream stream, int field, byte[] bytes)
    {
        stream.WriteByte((byte)(field << 3 | 2));
        Varint(stream, (ulong)bytes.Length);
        stream.Write(bytes);
    }

    private static void Varint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        stream.WriteByte((byte)value);
    }
}
