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
            throw new ExportNotSupportedException($"AvgPool2d at '{context.Path}' sets divisor_override, which ONNX AveragePool cannot express.");
        var (kernel, strides, pads) = PoolGeometry.Of(pool.kernel_size, pool.stride, pool.padding);
        return context.Builder.AddNode("AveragePool", context.Path, [input],
            OnnxAttribute.Ints("kernel_shape", kernel),
            OnnxAttribute.Ints("strides", strides),
            OnnxAttribute.Ints("pads", pads),
            OnnxAttribute.Int("ceil_mode", pool.ceil_mode ? 1 : 0),
            OnnxAttribute.Int("count_include_pad", pool.count_include_pad ? 1 : 0));
    }
}
