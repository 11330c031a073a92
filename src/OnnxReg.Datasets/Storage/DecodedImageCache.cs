using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;
using OnnxReg.Data.IO;
using OnnxReg.Data.Storage;

namespace OnnxReg.Data;

/// <summary>
/// The decoded bytes of one split of an image folder, kept in a file of a cache folder (<c>--cache DIR</c>), so later
/// epochs and later runs read raw pixels instead of decoding image files again. The file is named after the split and
/// a fingerprint of what it was made from — each image file's path, size, modification time and label, and the
/// decoding (colour, size, resize) — so a changed folder or another <c>--image-size</c> gets a new file instead of
/// stale pixels. It is written atomically (a killed process leaves no half-written cache, only a temporary the next
/// build removes), starts with a header that is checked on every open (magic, image count and shape, fingerprint),
/// and must have exactly the size the header implies. Reads go to the file at each image's offset, so a cache larger
/// than memory is read a batch at a time.
/// </summary>
internal sealed class DecodedImageCache : IImageStore, IDisposable
{
    private const int HeaderBytes = 64;
    private static readonly byte[] Magic = "ONNXREGI"u8.ToArray();
    private const int Version = 1;
    private const int BuildChunk = 512;

    private readonly FileStream _file; // kept open: reads go through its handle at each image's offset

    private DecodedImageCache(FileStream file, string path, int count, int sampleSize) =>
        (_file, Path, Count, SampleSize) = (file, path, count, sampleSize);

    private SafeFileHandle Handle => _file.SafeFileHandle;

    /// <summary>The cache file.</summary>
    public string Path { get; }

    public int Count { get; }

    public int SampleSize { get; }

    /// <summary>Opens the cache of these files in <paramref name="folder"/>, decoding them into it first when it is
    /// missing or does not match (progress told as "<paramref name="split"/> (cache)").</summary>
    /// <exception cref="InvalidDataException">An image does not decode, or the cache path is not a regular file.</exception>
    /// <exception cref="IOException">The cache folder cannot be written.</exception>
    public static DecodedImageCache Open(string folder, string split, IReadOnlyList<string> files, ImagePreparation preparation, ImageFolderOptions options)
    {
        Directory.CreateDirectory(folder);
        var fingerprint = Fingerprint(files, preparation);
        var path = System.IO.Path.Combine(folder, $"{split}-{Convert.ToHexString(fingerprint, 0, 8).ToLowerInvariant()}.images");
        int sampleSize = (int)preparation.SampleSize;
        if (TryOpen(path, files.Count, sampleSize, preparation, fingerprint) is { } cached)
            return cached;
        Build(path, split, files, preparation, fingerprint, options);
        return TryOpen(path, files.Count, sampleSize, preparation, fingerprint)
            ?? throw new InvalidDataException($"The image cache '{PrintableText.Escape(path)}' changed while it was being written; remove it and run again.");
    }

    public void Read(ReadOnlySpan<int> indices, Span<byte> destination)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), indices[i], $"Index must be below the cache's {Count} images.");
            var slot = destination.Slice(i * SampleSize, SampleSize);
            long offset = HeaderBytes + (long)indices[i] * SampleSize;
            int done = 0;
            while (done < slot.Length)
            {
                int read = RandomAccess.Read(Handle, slot[done..], offset + done);
                if (read == 0)
                    throw new InvalidDataException($"The image cache '{PrintableText.Escape(Path)}' was truncated while in use; remove it and run again.");
                done += read;
            }
        }
    }

    /// <summary>Every image, in order, as one array (for a split that fits in memory).</summary>
    public byte[] ReadAll()
    {
        var pixels = new byte[(long)Count * SampleSize];
        int chunk = Math.Max(1, (16 << 20) / SampleSize);
        for (int start = 0; start < Count; start += chunk)
        {
            int length = Math.Min(chunk, Count - start);
            var span = pixels.AsSpan((int)((long)start * SampleSize), length * SampleSize);
            int done = 0;
            while (done < span.Length)
            {
                int read = RandomAccess.Read(Handle, span[done..], HeaderBytes + (long)start * SampleSize + done);
                if (read == 0) throw new InvalidDataException($"The image cache '{PrintableText.Escape(Path)}' was truncated while in use; remove it and run again.");
                done += read;
            }
        }
        return pixels;
    }

    public void Dispose() => _file.Dispose();

    // The file, if it is this cache: a regular file (checked on the handle) with the right header and size; null when
    // it is missing or made from something else (then it is rebuilt). Anything but a regular file is an error.
    private static DecodedImageCache? TryOpen(string path, int count, int sampleSize, ImagePreparation preparation, byte[] fingerprint)
    {
        if (FileKinds.Of(path) == FileKind.Missing) return null;
        var stream = NoFollowFile.OpenReadRegular(path, "image cache");
        try
        {
            var header = new byte[HeaderBytes];
            if (stream.Length != HeaderBytes + (long)count * sampleSize || stream.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) != HeaderBytes
                || !header.AsSpan(0, 32).SequenceEqual(Header(count, preparation, fingerprint).AsSpan(0, 32))
                || !header.AsSpan(32, 32).SequenceEqual(fingerprint))
            {
                stream.Dispose();
                return null;
            }
            return new DecodedImageCache(stream, path, count, sampleSize);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static void Build(string path, string split, IReadOnlyList<string> files, ImagePreparation preparation, byte[] fingerprint, ImageFolderOptions options)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : Environment.ProcessorCount };
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Header(files.Count, preparation, fingerprint));
            for (int start = 0; start < files.Count; start += BuildChunk)
            {
                var chunk = files.Skip(start).Take(BuildChunk).ToArray();
                foreach (var image in FolderImageStore.Decode(chunk, preparation, parallel))
                    stream.Write(image);
                options.Progress?.Invoke($"{split} (cache)", start + chunk.Length, files.Count);
            }
        });
    }

    private static byte[] Header(int count, ImagePreparation preparation, byte[] fingerprint)
    {
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), Version);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), count);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), preparation.Channels);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(20), preparation.Height);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(24), preparation.Width);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(28), (int)preparation.Resize);
        fingerprint.CopyTo(header, 32);
        return header;
    }

    // SHA-256 of the decoding and, per file in order, its full path, length and modification time: a file added,
    // removed, renamed, rewritten or moved to another class folder changes it. Labels are not cached (they come from
    // the folders on every load), so reordering classes.txt needs no new cache.
    private static byte[] Fingerprint(IReadOnlyList<string> files, ImagePreparation preparation)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{preparation}|{files.Count}\n"));
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            hash.AppendData(Encoding.UTF8.GetBytes($"{file}\0{info.Length}\0{info.LastWriteTimeUtc.Ticks}\n"));
        }
        return hash.GetHashAndReset();
    }
}
