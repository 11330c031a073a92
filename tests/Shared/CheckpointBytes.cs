using System.Security.Cryptography;
using System.Text;

namespace OnnxReg.Tests.Shared;

/// <summary>Edits a checkpoint as an attacker would: change a field, then seal the file again with a fresh SHA-256.</summary>
public static class CheckpointBytes
{
    /// <summary>Sets the dtype code of the first model tensor to <paramref name="dtype"/> and re-seals the file.</summary>
    public static void ResealWithFirstDtype(string path, int dtype)
    {
        var bytes = File.ReadAllBytes(path);
        BitConverter.GetBytes(dtype).CopyTo(bytes, FirstTensorDtypeOffset(bytes));
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)).CopyTo(bytes, bytes.Length - 32);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Pads the JSON header with <paramref name="extraBytes"/> spaces (still valid JSON) and re-seals the file.</summary>
    public static void ResealWithHeaderPadding(string path, int extraBytes)
    {
        var bytes = File.ReadAllBytes(path);
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        reader.BaseStream.Position = 18 + 4;
        var header = reader.ReadString();
        int rest = (int)reader.BaseStream.Position;
        var output = new MemoryStream();
        using (var writer = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(bytes, 0, 18 + 4);
            writer.Write(header + new string(' ', extraBytes));
            writer.Write(bytes, rest, bytes.Length - rest - 32);
        }
        var sealedBytes = output.ToArray();
        File.WriteAllBytes(path, [.. sealedBytes, .. SHA256.HashData(sealedBytes)]);
    }

    // The layout of CheckpointFormat: magic and version, the JSON header, four blobs, then the first tensor group.
    private static int FirstTensorDtypeOffset(byte[] file)
    {
        using var reader = new BinaryReader(new MemoryStream(file), Encoding.UTF8);
        reader.BaseStream.Position = 18 + 4;
        reader.ReadString();
        for (int blob = 0; blob < 4; blob++)
        {
            int length = reader.ReadInt32();
            if (length > 0) reader.BaseStream.Position += length;
        }
        reader.ReadInt32(); // tensor count
        reader.ReadString(); // first tensor's name
        return (int)reader.BaseStream.Position;
    }
}
