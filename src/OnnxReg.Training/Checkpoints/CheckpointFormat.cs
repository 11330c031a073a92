using System.Security.Cryptography;
using System.Text;
using static TorchSharp.torch;

namespace OnnxReg.Training.Checkpoints;

/// <summary>
/// The binary layout of a checkpoint: a magic string and version, a length-prefixed UTF-8 JSON header, byte blobs
/// (RNG and optimizer states) and named tensor groups (raw little-endian bytes with dtype and shape), then the
/// SHA-256 of everything before it. The checksum is verified before anything is parsed, so a truncated or damaged
/// file is reported as such instead of being half-read. The checksum is not a seal (anyone can edit a file and hash it
/// again), so every field is still checked as if hostile: a tensor's dtype must be on an allow-list, and its shape,
/// element size and byte count must agree in managed arithmetic, within the bytes left, before libtorch allocates.
/// </summary>
internal static class CheckpointFormat
{
    private static readonly byte[] Magic = "ONNXREG-CHECKPOINT"u8.ToArray();
    // 2: callbacks keep their own state (early stopping's is no longer header fields of its own).
    public const int Version = 2;
    private const int HashLength = 32;

    /// <summary>Writes a checkpoint to <paramref name="destination"/> as it is produced, hashing on the way: nothing the
    /// size of the checkpoint is held in memory (a 20M-parameter network's one was built in a growing buffer and copied
    /// again, about 1 GB above the network itself).</summary>
    public static void Write(Stream destination, Action<BinaryWriter> body)
    {
        var hashing = new HashingStream(destination);
        using (var writer = new BinaryWriter(new BufferedStream(hashing, 1 << 20), Encoding.UTF8, leaveOpen: false))
        {
            writer.Write(Magic);
            writer.Write(Version);
            body(writer);
        } // flushes the buffer through the hash
        destination.Write(hashing.Hash());
    }
    /// <summary>
    /// Reads the checkpoint at <paramref name="path"/> — its first bytes are checked before the rest is read, so a
    /// wrong (and possibly huge) file is refused without being read whole — verifies version and checksum, and
    /// returns a reader positioned after the version.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is from another format version, or is damaged.</exception>
    public static BinaryReader Open(string path)
    {
        // Opened once, checked on the handle (a FIFO swapped in is refused, not waited on), and read in place: the
        // checksum is computed over the file in chunks, and the reader then parses the same file, so a checkpoint is
        // never held whole in memory (a 20M-parameter network's was about 0.3 GB). The file may change between the
        // two passes; every field is checked as hostile anyway, so that only makes it a damaged file.
        var file = OnnxReg.Data.IO.NoFollowFile.OpenReadRegular(path, "checkpoint");
        try
        {
            var start = new byte[Magic.Length + sizeof(int)];
            if (file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false) < start.Length || !start.AsSpan(0, Magic.Length).SequenceEqual(Magic))
                throw NotACheckpoint(path);
            if (file.Length > Array.MaxLength)
                throw new InvalidDataException($"The checkpoint '{path}' is {file.Length:N0} bytes; checkpoints over {Array.MaxLength:N0} bytes cannot be read (no network within the parameter budget needs one). Delete it to start training over.");
            if (file.Length < Magic.Length + sizeof(int) + HashLength)
                throw NotACheckpoint(path);
            int version = BitConverter.ToInt32(start, Magic.Length);
            if (version != Version)
                throw new InvalidDataException($"The checkpoint '{path}' has format version {version}; this OnnxReg reads version {Version}. Delete it to start training over, or use the OnnxReg that wrote it to finish or export that run.");
            long bodyLength = file.Length - HashLength;
            if (!ChecksumMatches(file, bodyLength))
                throw new InvalidDataException($"The checkpoint '{path}' is damaged (its checksum does not match; was it truncated or edited?). Delete it to start training over.");
            var window = new WindowStream(file, Magic.Length + sizeof(int), bodyLength - Magic.Length - sizeof(int));
            return new BinaryReader(new BufferedStream(window, 1 << 16), Encoding.UTF8);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static bool ChecksumMatches(FileStream file, long bodyLength)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        file.Position = 0;
        for (long left = bodyLength; left > 0;)
        {
            int read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0) return false;
            hash.AppendData(buffer, 0, read);
            left -= read;
        }
        var stored = new byte[HashLength];
        return file.ReadAtLeast(stored, HashLength, throwOnEndOfStream: false) == HashLength && hash.GetHashAndReset().AsSpan().SequenceEqual(stored);
    }
    private static InvalidDataException NotACheckpoint(string path) =>
        new($"'{path}' is not an OnnxReg checkpoint. Delete it, or choose another checkpoint path, to start training over.");

    /// <summary>The longest header a checkpoint may hold (its configuration and the metrics of finished epochs; a real
    /// one is a few kilobytes, a model file's network a few hundred), and the longest tensor name.</summary>
    public const int MaxHeaderBytes = 1 << 20, MaxNameBytes = 4096;

    /// <summary>Reads a length-prefixed UTF-8 string after checking its declared length against <paramref name="maxBytes"/>:
    /// a 90 MB header in a re-sealed checkpoint became a 180 MB string and a JSON document that passed 1.5 GB.</summary>
    public static string ReadBoundedString(BinaryReader reader, int maxBytes, string what)
    {
        int length;
        try { length = reader.Read7BitEncodedInt(); }
        catch (Exception e) when (e is FormatException or EndOfStreamException) { throw new InvalidDataException($"The checkpoint's {what} has a damaged length.", e); }
        if (length < 0 || length > maxBytes)
            throw new InvalidDataException($"The checkpoint's {what} declares {length:N0} bytes; at most {maxBytes:N0} are read.");
        CheckLength(reader, length);
        return Encoding.UTF8.GetString(reader.ReadBytes(length));
    }

    public static void WriteBlob(BinaryWriter writer, byte[]? blob)
    {
        writer.Write(blob?.Length ?? -1);
        if (blob is not null) writer.Write(blob);
    }

    /// <summary>Writes a blob produced by <paramref name="produce"/> without holding it in memory: a first pass only
    /// counts its bytes (for the length prefix), the second writes them. <paramref name="produce"/> must write the same
    /// bytes both times (an optimizer's state does: it only reads its tensors).</summary>
    public static void WriteBlob(BinaryWriter writer, Action<BinaryWriter> produce)
    {
        var counter = new CountingStream(null);
        using (var counting = new BinaryWriter(counter, Encoding.UTF8, leaveOpen: true))
            produce(counting);
        if (counter.Length > int.MaxValue)
            throw new InvalidOperationException($"A checkpoint blob of {counter.Length:N0} bytes does not fit the format's 32-bit length.");
        writer.Write((int)counter.Length);
        writer.Flush();
        var written = new CountingStream(writer.BaseStream);
        using (var passing = new BinaryWriter(written, Encoding.UTF8, leaveOpen: true))
            produce(passing);
        if (written.Length != counter.Length)
            throw new InvalidOperationException("A checkpoint blob changed between its two passes.");
    }
    public static byte[]? ReadBlob(BinaryReader reader)
    {
        int length = reader.ReadInt32();
        if (length == -1) return null;
        CheckLength(reader, length);
        return reader.ReadBytes(length);
    }

    public static void WriteTensors(BinaryWriter writer, IReadOnlyDictionary<string, Tensor>? tensors)
    {
        writer.Write(tensors?.Count ?? -1);
        if (tensors is null) return;
        foreach (var (name, tensor) in tensors)
        {
            using var contiguous = tensor.detach().contiguous().cpu();
            writer.Write(name);
            writer.Write((int)contiguous.dtype);
            writer.Write((int)contiguous.dim());
            foreach (long size in contiguous.shape) writer.Write(size);
            var bytes = contiguous.bytes;
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }
    }

    /// <summary>Reads a tensor group; the caller owns the tensors.</summary>
    public static Dictionary<string, Tensor>? ReadTensors(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        if (count == -1) return null;
        CheckLength(reader, count);
        var tensors = new Dictionary<string, Tensor>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            for (int i = 0; i < count; i++)
            {
                string name = ReadBoundedString(reader, MaxNameBytes, "tensor name");
                int code = reader.ReadInt32();
                if (!ElementSizes.TryGetValue(code, out int elementSize))
                    throw new InvalidDataException($"Tensor '{name}' has dtype code {code}; checkpoints hold only {string.Join(", ", ElementSizes.Keys.Select(k => (ScalarType)k))}.");
                int rank = reader.ReadInt32();
                if (rank is < 0 or > 8)
                    throw new InvalidDataException($"Tensor '{name}' claims rank {rank}.");
                var shape = new long[rank];
                long elements = 1;
                for (int d = 0; d < rank; d++)
                {
                    shape[d] = reader.ReadInt64();
                    CheckLength(reader, shape[d]);
                    elements *= shape[d];
                    CheckLength(reader, elements);
                }
                int length = reader.ReadInt32();
                CheckLength(reader, length);
                // Sizes agree before libtorch allocates anything (elements ≤ bytes left, so this cannot overflow).
                if (elements * elementSize != length)
                    throw new InvalidDataException($"Tensor '{name}' has {length} bytes for shape [{string.Join(", ", shape)}] of {(ScalarType)code}.");
                if (!names.Add(name))
                    throw new InvalidDataException($"Tensor '{name}' appears twice.");
                // Read straight into the tensor's own memory: no managed copy of a large weight on the way.
                var tensor = empty(shape, (ScalarType)code);
                tensors[name] = tensor;
                reader.BaseStream.ReadExactly(tensor.bytes);
            }
            return tensors;
        }
        catch
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
            throw;
        }
    }

    // The dtypes a model's state dict holds (weights, BatchNorm's running statistics and its int64 step count), with
    // their sizes in bytes; anything else in a checkpoint is damage or an attack (an unknown code crashes libtorch).
    private static readonly Dictionary<int, int> ElementSizes = new()
    {
        [(int)ScalarType.Byte] = 1, [(int)ScalarType.Int8] = 1, [(int)ScalarType.Int16] = 2, [(int)ScalarType.Int32] = 4,
        [(int)ScalarType.Int64] = 8, [(int)ScalarType.Float16] = 2, [(int)ScalarType.Float32] = 4, [(int)ScalarType.Float64] = 8,
        [(int)ScalarType.Bool] = 1, [(int)ScalarType.BFloat16] = 2,
    };

    private static void CheckLength(BinaryReader reader, long length)
    {
        if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
            throw new InvalidDataException($"A length of {length} runs past the end of the checkpoint.");
    }
}
