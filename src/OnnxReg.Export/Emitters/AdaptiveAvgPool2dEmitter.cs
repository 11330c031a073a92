using OnnxReg.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Export.Emitters;

/// <summary>
/// AdaptiveAvgPool2d → <c>GlobalAveragePool</c> for a 1×1 output (the ResNet head); for larger outputs that divide
/// the input evenly, an equivalent <c>AveragePool</c>. Other sizes are refused (their windows overlap unevenly).
/// </summary>
public sealed class AdaptiveAvgPool2dEmitter : IModuleEmitter
{
    /// <inheritdoc />
    public Type ModuleType => typeof(AdaptiveAvgPool2d);

    /// <inheritdoc />
    public string Emit(EmitContext context, nn.Module module, string input)
    {
        long inH = context.InputShape[^2], inW = context.InputShape[^1];
        long outH = context.OutputShape[^2], outW = context.OutputShape[^1];
        if (outH == 1 && outW == 1)
            return context.Builder.AddNode("GlobalAveragePool", context.Path, [input]);
        if (inH % outH != 0 || inW % outW != 0)
            throw new ExportNotSupportedException(
                $"AdaptiveAvgPool2d at '{context.Path}' maps {inH}x{inW} to {outH}x{outW}, which is not an even division; only 1x1 outputs or exact divisors can be exported.");
        long[] kernel = [inH / outH, inW / outW];
        return context.Builder.AddNode("AveragePool", context.Path, [input],
            OnnxAttribute.Ints("kernel_shape", kernel), OnnxAttribute.Ints("strides", kernel));
    }
}
