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
