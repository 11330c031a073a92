using OnnxReg.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Export.Emitters;

/// <summary>
/// Flatten → <c>Flatten(axis=start_dim)</c> when it flattens through the last dimension (the usual case);
/// otherwise <c>Reshape</c> to the traced shape with the batch dimension kept (0 = copy from input).
/// </summary>
public sealed class FlattenEmitter : IModuleEmitter
{
    /// <inheritdoc />
    public Type ModuleType => typeof(Flatten);

    /// <inheritdoc />
    public string Emit(EmitContext context, nn.Module module, string input)
    {
        var flatten = (Flatten)module;
        int rank = context.InputShape.Length;
        long start = flatten.start_dim < 0 ? flatten.start_dim + rank : flatten.start_dim;
        long end = flatten.end_dim < 0 ? flatten.end_dim + rank : flatten.end_dim;
        if (start == 0)
            throw new ExportNotSupportedException($"Flatten at '{context.Path}' has start_dim 0 and would merge the batch dimension; only start_dim ≥ 1 can be exported.");
        if (end == rank - 1)
            return context.Builder.AddNode("Flatten", context.Path, [input], OnnxAttribute.Int("axis", start));
        var shape = context.OutputShape.ToArray();
        shape[0] = 0;
        var shapeName = context.Builder.AddInt64Initializer(context.Path + ".shape", shape, [shape.Length]);
        return context.Builder.AddNode("Reshape", context.Path, [input, shapeName]);
    }
}
