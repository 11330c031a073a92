using System.Security.Cryptography;
using OnnxReg.Onnx.Proto;

namespace OnnxReg.Onnx;

/// <summary>Facts about a model's weights (its initializers).</summary>
public static class OnnxWeights
{
    /// <summary>
    /// SHA-256 (lower-case hex) over every initializer's name, data type, dims and raw bytes, in graph order:
    /// two files have the same hash exactly when they carry the same weights under the same names.
    /// </summary>
    public static string Sha256(GraphProto graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        foreach (var tensor in graph.Initializer)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(tensor.Name));
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(number, tensor.DataType);
            hash.AppendData(number);
            foreach (long dim in tensor.Dims)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(number, dim);
                hash.AppendData(number);
            }
            // Hashed in place: a copy of each weight would double a large model's memory while it is fingerprinted.
            if (tensor.HasRawData) hash.AppendData(tensor.RawData.Span);
            else hash.AppendData(Google.Protobuf.MessageExtensions.ToByteArray(tensor));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The number of scalar weights across all initializers.</summary>
    public static long ParameterCount(GraphProto graph) =>
        graph.Initializer.Sum(t => t.Dims.Aggregate(1L, (a, d) => a * d));
}
