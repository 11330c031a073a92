using System.Buffers.Binary;
using System.Text;

namespace OnnxReg.Tests.Shared;

/// <summary>
/// Reads a TensorBoard event file the way TensorBoard does, independently of the writer: TFRecord framing with both
/// masked CRC-32C checksums verified, and just enough of the <c>Event</c> and <c>Summary</c> messages — wall_time = 1
/// (double), step = 2 (varint), file_version = 3 (string), summary = 5; Summary.value = 1; Value.tag = 1,
/// simple_value = 2 (float).
/// </summary>
public static class TensorBoardEvents
{
    /// <summary>One event: its wall time (seconds), step, file version (first record only) and scalars.</summary>
    public sealed record Event(double WallTime, long Step, string? FileVersion, IReadOnlyList<(string Tag, float Value)> Scalars);

    /// <summary>Every event of the file, in order.</summary>
    /// <exception cref="InvalidDataException">A length or data checksum does not match.</exception>
    public static IReadOnlyList<Event> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var events = new List<Event>();
        for (int at = 0; at < bytes.Length;)
        {
            long length = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at));
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8)) != MaskedCrc32C(bytes.AsSpan(at, 8)))
                throw new InvalidDataException($"length checksum of the record at byte {at}");
            var record = bytes.AsSpan(at + 12, (int)length).ToArray();
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + (int)length)) != MaskedCrc32C(record))
                throw new InvalidDataException($"data checksum of the record at byte {at}");
            at += 12 + (int)length + 4;
            double wallTime = 0;
            long step = 0;
            string? version = null;
            var scalars = new List<(string, float)>();
            foreach (var (field, value) in Fields(record))
            {
                if (field == 1) wallTime = BitConverter.UInt64BitsToDouble(value.Varint);
                if (field == 2) step = (long)value.Varint;
                if (field == 3) version = Encoding.UTF8.GetString(value.Bytes!);
                if (field != 5) continue;
                foreach (var (summaryField, entry) in Fields(value.Bytes!))
                {
                    if (summaryField != 1) continue;
                    string tag = "";
                    float simple = float.NaN;
                    foreach (var (valueField, v) in Fields(entry.Bytes!))
                    {
                        if (valueField == 1) tag = Encoding.UTF8.GetString(v.Bytes!);
                        if (valueField == 2) simple = BitConverter.Int32BitsToSingle((int)v.Varint);
                    }
                    scalars.Add((tag, simple));
                }
            }
            events.Add(new Event(wallTime, step, version, scalars));
        }
        return events;
    }

    /// <summary>All scalars of the file by (tag, step).</summary>
    public static Dictionary<(string Tag, long Step), float> Scalars(string path) =>
        Read(path).SelectMany(e => e.Scalars.Select(s => (Key: (s.Tag, e.Step), s.Value))).ToDictionary(s => s.Key, s => s.Value);

    // CRC-32C (Castagnoli, reflected 0x82F63B78) computed bit by bit, then TFRecord's mask.
    private static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        crc ^= 0xFFFFFFFF;
        return ((crc >> 15) | (crc << 17)) + 0xA282EAD8;
    }

    private readonly record struct Wire(ulong Varint, byte[]? Bytes);

    private static IEnumerable<(int Field, Wire Value)> Fields(byte[] message)
    {
        int at = 0;
        ulong ReadVarint()
        {
            ulong result = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = message[at++];
                result |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return result;
            }
        }
        while (at < message.Length)
        {
            ulong tag = ReadVarint();
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            switch (wire)
            {
                case 0: yield return (field, new Wire(ReadVarint(), null)); break;
                case 1: yield return (field, new Wire(BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(at)), null)); at += 8; break;
                case 2:
                    int length = (int)ReadVarint();
                    yield return (field, new Wire(0, message.AsSpan(at, length).ToArray()));
                    at += length;
                    break;
                case 5: yield return (field, new Wire(BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(at)), null)); at += 4; break;
                default: throw new InvalidDataException($"wire type {wire}");
            }
        }
    }
}
