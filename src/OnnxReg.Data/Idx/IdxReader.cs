using System.IO.Compression;

namespace OnnxReg.Data.Idx;

/// <summary>
/// Reads the IDX format used by MNIST and Fashion-MNIST (big-endian header: two zero bytes, a type byte,
/// a dimension count, then one 32-bit size per dimension), plain or gzip-compressed.
/// </summary>
/// <remarks>
/// Only the unsigned-byte element type (0x08) is supported: it is what every MNIST-family file uses.
/// The header is checked before anything large is allocated, so a hostile header that claims billions of items fails
/// quickly with <see cref="InvalidDataException"/>: a plain file's declared size must equal what follows; a gzip file's
/// must fit what its compressed length can hold (deflate expands at most 1032:1); either must stay within
/// <see cref="ResourceLimits.MaxIdxBytes"/>, and one image (the last two dimensions of a 3-dimensional file) within
/// <see cref="ResourceLimits.MaxImagePixels"/>. Only regular files are read.
/// </remarks>
public static class IdxReader
{
    private const byte UnsignedByteType = 0x08;
    private const int MaxDimensions = 4;
    private const int InitialGzipBuffer = 1 << 20;
    private const long MaxDeflateRatio = 1032; // deflate's largest expansion: 258 bytes from 2 bits
    private const long GzipOverhead = 1 << 10;

    /// <summary>Reads an IDX file (gzip-compressed or not; detected from its first bytes).</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The array with its shape.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed unsigned-byte IDX file.</exception>
    public static IdxArray Read(string path) => Read(path, maxItems: null);

    /// <summary>Reads at most the first <paramref name="maxItems"/> items of an IDX file (all when null): a gzip file is
    /// decompressed only as far as they go, so a file that declares a gigabyte costs what the items asked for cost.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed unsigned-byte IDX file.</exception>
    public static IdxArray Read(string path, int? maxItems)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        IO.UntrustedFile.RequireRegular(path, "IDX file");
        using var file = File.OpenRead(path);
        try
        {
            bool gzip = file.Length >= 2 && file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
            file.Position = 0;
            if (!gzip)
                return Read(file, path, file.Length, maxItems: maxItems);
            using var inflated = new GZipStream(file, CompressionMode.Decompress);
            return Read(inflated, path, knownLength: null, maxLength: file.Length * MaxDeflateRatio + GzipOverhead, maxItems: maxItems);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("IDX file", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"IDX file '{path}' is not a valid gzip stream: {e.Message}", e);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new InvalidDataException($"IDX file '{path}' could not be read: {e.Message}", e);
        }
    }

    /// <summary>Reads an IDX array from a stream positioned at its first byte.</summary>
    /// <param name="stream">The uncompressed IDX bytes.</param>
    /// <param name="name">A name for error messages (usually the file path).</param>
    /// <param name="knownLength">The stream's total length when known (plain files), to check sizes up front.</param>
    /// <param name="maxLength">The most bytes the stream can hold when its exact length is unknown (a gzip stream:
    /// its compressed length times deflate's largest ratio), or null.</param>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed unsigned-byte IDX array, or declare more than the limits allow.</exception>
    /// <param name="maxItems">Read only the first this many items along the first dimension (null: all); the rest of
    /// the stream is not read.</param>
    public static IdxArray Read(Stream stream, string name, long? knownLength, long? maxLength = null, int? maxItems = null)
    {
        Span<byte> magic = stackalloc byte[4];
        if (ReadFully(stream, magic) < 4)
            throw Invalid(name, "is shorter than the 4-byte IDX magic number");
        if (magic[0] != 0 || magic[1] != 0)
            throw Invalid(name, $"has magic number 0x{magic[0]:X2}{magic[1]:X2}{magic[2]:X2}{magic[3]:X2}; an IDX file starts with 0x0000 (e.g. 0x00000803 for images, 0x00000801 for labels)");
        if (magic[2] != UnsignedByteType)
            throw Invalid(name, $"has element type 0x{magic[2]:X2}; only unsigned bytes (0x08) are supported");
        int rank = magic[3];
        if (rank < 1 || rank > MaxDimensions)
            throw Invalid(name, $"declares {rank} dimensions; 1 to {MaxDimensions} are supported");

        var header = new byte[4 * rank];
        if (ReadFully(stream, header) < header.Length)
            throw Invalid(name, $"ends inside its header (expected {4 + header.Length} header bytes)");
        var shape = new int[rank];
        long total = 1;
        for (int d = 0; d < rank; d++)
        {
            long size = (uint)(header[4 * d] << 24 | header[4 * d + 1] << 16 | header[4 * d + 2] << 8 | header[4 * d + 3]);
            if (size == 0 || size > int.MaxValue)
                throw Invalid(name, $"declares dimension {d} of size {(int)size}; sizes must be between 1 and {int.MaxValue}");
            shape[d] = (int)size;
            total *= size;
            if (total > Array.MaxLength)
                throw Invalid(name, $"declares shape [{string.Join(", ", shape.Take(d + 1))}...], more than {Array.MaxLength} bytes of data");
        }

        long headerLength = 4 + header.Length;
        long maxBytes = ResourceLimits.MaxIdxBytes;
        if (rank == 3 && (long)shape[1] * shape[2] > ResourceLimits.MaxImagePixels)
            throw Invalid(name, $"declares images of {shape[1]} × {shape[2]} pixels; images up to {ResourceLimits.MaxImagePixels:N0} pixels are accepted ({ResourceLimits.HowToRaise(ResourceLimits.MaxImagePixelsVariable)})");
        if (total > maxBytes)
            throw Invalid(name, $"declares shape [{string.Join(", ", shape)}] ({total:N0} data bytes); at most {maxBytes:N0} are read ({ResourceLimits.HowToRaise(ResourceLimits.MaxIdxBytesVariable)})");
        if (maxLength is long most && headerLength + total > most)
            throw Invalid(name, $"declares shape [{string.Join(", ", shape)}] ({total:N0} data bytes), more than its compressed size can hold (at most {most:N0} bytes)");
        if (knownLength is long length && length - headerLength != total)
            throw Invalid(name, length - headerLength < total
                ? $"is truncated: its header declares shape [{string.Join(", ", shape)}] ({total} data bytes) but only {length - headerLength} follow"
                : $"has {length - headerLength - total} bytes after the {total} data bytes its header [{string.Join(", ", shape)}] declares");

        if (maxItems is int limit && limit >= 0 && limit < shape[0])
        {
            // The header was checked as declared; only the items asked for are read (and allocated).
            long itemBytes = total / shape[0];
            var declared = (int[])shape.Clone();
            shape[0] = limit;
            return new IdxArray(shape, ReadData(stream, name, declared, (int)(limit * itemBytes)));
        }
        var data = ReadData(stream, name, shape, (int)total);
        if (knownLength is null && stream.ReadByte() >= 0)
            throw Invalid(name, $"has bytes after the {total} data bytes its header [{string.Join(", ", shape)}] declares");
        return new IdxArray(shape, data);
    }

    // Grows the buffer only as data actually arrives, so a header claiming far more than the stream holds
    // costs at most what the stream really contains.
    private static byte[] ReadData(Stream stream, string name, int[] shape, int total)
    {
        var buffer = new byte[Math.Min(total, InitialGzipBuffer)];
        int filled = 0;
        while (filled < total)
        {
            if (filled == buffer.Length)
                Array.Resize(ref buffer, (int)Math.Min(total, 2L * buffer.Length));
            int read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
                throw Invalid(name, $"is truncated: its header declares shape [{string.Join(", ", shape)}] ({total} data bytes) but only {filled} follow");
            filled += read;
        }
        return buffer;
    }

    private static int ReadFully(Stream stream, Span<byte> destination)
    {
        int filled = 0;
        while (filled < destination.Length)
        {
            int read = stream.Read(destination[filled..]);
            if (read == 0) break;
            filled += read;
        }
        return filled;
    }

    private static InvalidDataException Invalid(string name, string problem) =>
        new($"IDX file '{name}' {problem}.");
}
