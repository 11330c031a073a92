using Google.Protobuf;
using OnnxReg.Onnx.Proto;

namespace OnnxReg.Onnx;

/// <summary>Reads and encodes <see cref="ModelProto"/> files.</summary>
public static class OnnxModelSerializer
{
    /// <summary>The model's protobuf encoding (deterministic for a given model).</summary>
    public static byte[] ToBytes(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.ToByteArray();
    }

    /// <summary>Writes the model's protobuf encoding (the bytes <see cref="ToBytes"/> returns) to <paramref name="stream"/>
    /// without holding it whole in memory.</summary>
    public static void WriteTo(ModelProto model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        using var output = new CodedOutputStream(stream, leaveOpen: true);
        model.WriteTo(output);
    }

    /// <summary>Parses an ONNX file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model (bad protobuf, or no graph).</exception>
    public static ModelProto Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"ONNX file '{path}' does not exist.", path);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{path}' is not an ONNX model: {e.Message}", e);
        }
        if (model.Graph is null || !model.HasIrVersion)
            throw new InvalidDataException($"'{path}' is not an ONNX model: it has no graph or no IR version.");
        return model;
    }
}
