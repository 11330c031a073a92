using System.Security.Cryptography;
using System.Text;
using static TorchSharp.torch;

namespace OnnxReg.Training.Checkpoints;

/// <summary>
/// The binary layout of a checkpoint: a magic string and version, a length-prefixed UTF-8 JSON header, byte blobs
/// (RNG and optimizer states) and named tensor groups (raw little-endian bytes with dtype and shape), then the
/// SHA-256 of everything before it. The checksum is verified before anything is parsed, so a truncated or damaged
/// file is reported as such instead of being half-read; every length is still checked against what is left.
/// </summary>
internal static class CheckpointFormat
{
    private static readonly byte[] Magic = "ONNXREG-CHECKPOINT"u8.ToArray();
    public const int Version = 1;
    private const int HashLength = 32;

    public static byte[] Write(Action<BinaryWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(Version);
            body(writer);
        }
        var hash = SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        buffer.Write(hash);
        return buffer.ToArray();
    }

    /// <summary>
    /// Reads the checkpoint at <paramref name="path"/> — its first bytes are checked before the rest is read, so a
    /// wrong (and possibly huge) file is refused without being read whole — verifies version and checksum, and
    /// returns a reader positioned after the version.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is from another format version, or is damaged.</exception>
    public static BinaryReader Open(string path)
    {
        byte[] bytes;
        using (var file = File.OpenRead(path))
        {
            var start = new byte[Magic.Length];
            if (file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false) < start.Length || !start.AsSpan().SequenceEqual(Magic))
                throw NotACheckpoint(path);
            file.Position = 0;
            bytes = new byte[file.Length];
            file.ReadExactly(bytes);
        }
        if (bytes.Length < Magic.Length + sizeof(int) + HashLength)
            throw NotACheckpoint(path);
        int version = BitConverter.ToInt32(bytes, Magic.Length);
        if (version != Version)
            throw new InvalidDataException($"The checkpoint '{path}' has format version {version}; this OnnxReg reads version {Version}. Delete it to start training over.");
        var body = bytes.AsSpan(0, bytes.Length - HashLength);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - HashLength)))
            throw new InvalidDataException($"The checkpoint '{path}' is damaged (its checksum does not match; was it truncated or edited?). Delete it to start training over.");
        var stream = new MemoryStream(bytes, Magic.Length + sizeof(int), body.Length - Magic.Length - sizeof(int), writable: false);
        return new BinaryReader(stream, Encoding.UTF8);
    }

    private static InvalidDataException NotACheckpoint(string path) =>
        new($"'{path}' is not an OnnxReg checkpoint. Delete it, or choose another checkpoint path, to start training over.");

    public static void WriteBlob(BinaryWriter writer, byte[]? blob)
    {
        writer.Write(blob?.Length ?? -1);
        if (blob is not null) writer.Write(blob);
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
        var tensors = new Dictionary<string, Tensor>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                var dtype = (ScalarType)reader.ReadInt32();
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
                var bytes = reader.ReadBytes(length);
                // Sizes are checked against the bytes present before libtorch allocates anything.
                var tensor = empty(shape, dtype);
                tensors[name] = tensor;
                if (tensor.NumberOfElements * tensor.ElementSize != length)
                    throw new InvalidDataException($"Tensor '{name}' has {length} bytes for shape [{string.Join(", ", shape)}] of {dtype}.");
                tensor.bytes = bytes;
            }
            return tensors;
        }
        catch
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
            throw;
        }
    }

    private static void CheckLength(BinaryReader reader, long length)
    {
        if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
            throw new InvalidDataException($"A length of {length} runs past the end of the checkpoint.");
    }
}
