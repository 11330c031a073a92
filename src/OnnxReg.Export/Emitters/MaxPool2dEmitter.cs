using OnnxReg.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Export.Emitters;

/// <summary>MaxPool2d → <c>MaxPool</c> (kernel, strides, pads, dilations, ceil_mode).</summary>
public sealed class MaxPool2dEmitter : IModuleEmitter
{
    /// <inheritdoc />
    public Type ModuleType => typeof(MaxPool2d);

    /// <inheritdoc />
    public string Emit(EmitContext context, nn.Module module, string input)
    {
        var pool = (MaxPool2d)module;
        long[] kernel = Pair(pool.kernel_size);
        long[] stride = pool.stride is { Length: > 0 } s ? Pair(s) : kernel; // PyTorch: stride defaults to the kernel size
        long[] padding = pool.padding is { Length: > 0 } p ? Pair(p) : [0, 0];
        long[] dilation = pool.dilation is { Length: > 0 } d ? Pair(d) : [1, 1];
        return context.Builder.AddNode("MaxPool", context.Path, [input],
            OnnxAttribute.Ints("kernel_shape", kernel),
            OnnxAttribute.Ints("strides", stride),
            OnnxAttribute.Ints("pads", [padding[0], padding[1], padding[0], padding[1]]),
            OnnxAttribute.Ints("dilations", dilation),
            OnnxAttribute.Int("ceil_mode", pool.ceil_mode ? 1 : 0));
    }

    private static long[] Pair(long[] values) => values.Length == 1 ? [values[0], values[0]] : values;
}
