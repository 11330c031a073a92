using System.Security.Cryptography;
using System.Text;

namespace OnnxReg.Training.Tests.Checkpoints;

/// <summary>A checkpoint file taken apart into its fields, so a test can change one and seal the file again.</summary>
internal sealed class CheckpointLayout
{
    private const int MagicAndVersion = 18 + 4;

    public CheckpointLayout(byte[] body) => Body = body; // a body that may not parse (for raw mutations)

    private CheckpointLayout(byte[] body, string header, int headerEnd, int[] blobOffsets, List<TensorField> tensors)
    {
        Body = body;
        Header = header;
        HeaderEnd = headerEnd;
        BlobOffsets = blobOffsets;
        Tensors = tensors;
    }

    public byte[] Body { get; }
    public string Header { get; } = "";
    private int HeaderEnd { get; }
    public int[] BlobOffsets { get; } = [];
    public List<TensorField> Tensors { get; } = [];
    public IReadOnlyList<byte[]> Blobs => BlobOffsets.Select(o => { int n = BitConverter.ToInt32(Body, o); return n < 0 ? [] : Body[(o + 4)..(o + 4 + n)]; }).ToList();

    public sealed record TensorField(int DtypeOffset, int RankOffset, int Rank, int DimsOffset, int LengthOffset);

    /// <summary>Parses a file written by the trainer (its last 32 bytes are the hash).</summary>
    public static CheckpointLayout Parse(byte[] file)
    {
        var body = file[..^32];
        using var reader = new BinaryReader(new MemoryStream(body), Encoding.UTF8);
        reader.BaseStream.Position = MagicAndVersion;
        var header = reader.ReadString();
        int headerEnd = (int)reader.BaseStream.Position;
        var blobs = new int[4];
        for (int b = 0; b < 4; b++)
        {
            blobs[b] = (int)reader.BaseStream.Position;
            int length = reader.ReadInt32();
            if (length > 0) reader.BaseStream.Position += length;
        }
        var tensors = new List<TensorField>();
        for (int g = 0; g < 3; g++)
        {
            int count = reader.ReadInt32();
            for (int t = 0; t < count; t++)
            {
                reader.ReadString();
                int dtype = (int)reader.BaseStream.Position;
                reader.ReadInt32();
                int rankOffset = (int)reader.BaseStream.Position;
                int rank = reader.ReadInt32();
                int dims = (int)reader.BaseStream.Position;
                reader.BaseStream.Position += 8L * rank;
                int lengthOffset = (int)reader.BaseStream.Position;
                int length = reader.ReadInt32();
                reader.BaseStream.Position += length;
                tensors.Add(new TensorField(dtype, rankOffset, rank, dims, lengthOffset));
            }
        }
        return new CheckpointLayout(body, header, headerEnd, blobs, tensors);
    }

    public CheckpointLayout WithInt32(int offset, int value) => Patched(offset, BitConverter.GetBytes(value));

    public CheckpointLayout WithInt64(int offset, long value) => Patched(offset, BitConverter.GetBytes(value));

    public CheckpointLayout WithHeader(string json)
    {
        using var stream = new MemoryStream();
        stream.Write(Body, 0, MagicAndVersion);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) writer.Write(json);
        stream.Write(Body, HeaderEnd, Body.Length - HeaderEnd);
        return Parse([.. stream.ToArray(), .. new byte[32]]);
    }

    public CheckpointLayout WithBlob(int index, byte[] blob)
    {
        int offset = BlobOffsets[index];
        int oldLength = Math.Max(0, BitConverter.ToInt32(Body, offset));
        byte[] body = [.. Body[..offset], .. BitConverter.GetBytes(blob.Length), .. blob, .. Body[(offset + 4 + oldLength)..]];
        return Parse([.. body, .. new byte[32]]);
    }

    /// <summary>The file: the body followed by its SHA-256, as the trainer seals it.</summary>
    public byte[] Resealed() => [.. Body, .. SHA256.HashData(Body)];

    private CheckpointLayout Patched(int offset, byte[] value)
    {
        var body = Body.ToArray();
        value.CopyTo(body, offset);
        return new CheckpointLayout(body, Header, HeaderEnd, BlobOffsets, Tensors);
    }
}
