using static TorchSharp.torch;

namespace OnnxReg.Export.Emitters;

/// <summary>Copies a parameter's values out of native memory for an initializer.</summary>
internal static class TensorValues
{
    public static float[] ToFloats(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return tensor.detach().to(ScalarType.Float32).contiguous().cpu().data<float>().ToArray();
    }

    // A diverged model must never ship: refuse weights that are NaN or infinite.
    public static string AddParameter(EmitContext context, Tensor tensor, string name)
    {
        var values = ToFloats(tensor);
        int bad = Array.FindIndex(values, v => !float.IsFinite(v));
        if (bad >= 0)
            throw new ExportNotSupportedException(
                $"Parameter '{context.Path}.{name}' holds a non-finite value ({values[bad]}) at index {bad}; the model diverged. Refusing to export it.");
        return context.Builder.AddInitializer($"{context.Path}.{name}", values, tensor.shape);
    }
}
