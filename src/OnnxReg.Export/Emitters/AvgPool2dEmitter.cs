using OnnxReg.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Export.Emitters;

/// <summary>AvgPool2d → <c>AveragePool</c> (kernel, strides, pads, ceil_mode, count_include_pad); divisor_override is refused.</summary>
public sealed class AvgPool2dEmitter : IModuleEmitter
{
    /// <inheritdoc />
    public Type ModuleType => typeof(AvgPool2d);

    /// <inheritdoc />
    public string Emit(EmitContext context, nn.Module module, string input)
    {
        var pool = (AvgPool2d)module;
        if (pool.divisor_override is not null)
            throw new NotSupportedException($"AvgPool2d at '{context.Path}' sets divisor_override, which ONNX AveragePool cannot express.");
        long[] kernel = Pair(pool.kernel_size);
        long[] stride = pool.stride is { Length: > 0 } s ? Pair(s) : kernel;
        long[] padding = pool.padding is { Length: > 0 } p ? Pair(p) : [0, 0];
        return context.Builder.AddNode("AveragePool", context.Path, [input],
            OnnxAttribute.Ints("kernel_shape", kernel),
            OnnxAttribute.Ints("strides", stride),
            OnnxAttribute.Ints("pads", [padding[0], padding[1], padding[0], padding[1]]),
            OnnxAttribute.Int("ceil_mode", pool.ceil_mode ? 1 : 0),
            OnnxAttribute.Int("count_include_pad", pool.count_include_pad ? 1 : 0));
    }

    internal static long[] Pair(long[] values) => values.Length == 1 ? [values[0], values[0]] : values;
}
