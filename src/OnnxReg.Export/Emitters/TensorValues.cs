using static TorchSharp.torch;

namespace OnnxReg.Export.Emitters;

/// <summary>Copies a parameter's values out of native memory into an initializer.</summary>
internal static class TensorValues
{
    // A diverged model must never ship: refuse weights that are NaN or infinite. The values are read in place from
    // native memory (no managed copy of a large weight before the initializer's own).
    public static string AddParameter(EmitContext context, Tensor tensor, string name)
    {
        using var scope = NewDisposeScope();
        var contiguous = tensor.detach().to(ScalarType.Float32).contiguous().cpu();
        ReadOnlySpan<float> values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(contiguous.bytes);
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new ExportNotSupportedException(
                    $"Parameter '{context.Path}.{name}' holds a non-finite value ({values[i]}) at index {i}; the model diverged. Refusing to export it.");
        return context.Builder.AddInitializer($"{context.Path}.{name}", values, tensor.shape);
    }
}
