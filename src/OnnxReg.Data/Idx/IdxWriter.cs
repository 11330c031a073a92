using System.IO.Compression;

namespace OnnxReg.Data.Idx;

/// <summary>Writes unsigned-byte IDX files (the format <see cref="IdxReader"/> reads), optionally gzip-compressed.</summary>
public static class IdxWriter
{
    /// <summary>Writes <paramref name="array"/> to <paramref name="path"/> atomically; gzip-compressed when <paramref name="gzip"/> is true.</summary>
    public static void Write(string path, IdxArray array, bool gzip)
    {
        ArgumentNullException.ThrowIfNull(array);
        long expected = array.Shape.Aggregate(1L, (a, d) => a * d);
        if (array.Shape.Length is < 1 or > 4 || array.Shape.Any(d => d <= 0) || expected != array.Data.LongLength)
            throw new ArgumentException($"Shape [{string.Join(", ", array.Shape)}] does not describe {array.Data.LongLength} bytes with 1 to 4 positive dimensions.", nameof(array));
        IO.AtomicFile.Write(path, file =>
        {
            if (!gzip)
            {
                WriteTo(file, array);
                return;
            }
            using var compressed = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true);
            WriteTo(compressed, array);
        });
    }

    /// <summary>Writes the IDX encoding of <paramref name="array"/> to <paramref name="stream"/>.</summary>
    public static void WriteTo(Stream stream, IdxArray array)
    {
        stream.Write([0, 0, 0x08, (byte)array.Shape.Length]);
        Span<byte> size = stackalloc byte[4];
        foreach (int dim in array.Shape)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(size, dim);
            stream.Write(size);
        }
        stream.Write(array.Data);
    }
}
