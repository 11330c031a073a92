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
        var (kernel, strides, pads) = PoolGeometry.Of(pool.kernel_size, pool.stride, pool.padding);
        long[] dilation = pool.dilation is { Length: > 0 } d ? PoolGeometry.Pair(d) : [1, 1];
        return context.Builder.AddNode("MaxPool", context.Path, [input],
            OnnxAttribute.Ints("kernel_shape", kernel),
            OnnxAttribute.Ints("strides", strides),
            OnnxAttribute.Ints("pads", pads),
            OnnxAttribute.Ints("dilations", dilation),
            OnnxAttribute.Int("ceil_mode", pool.ceil_mode ? 1 : 0));
    }
}
