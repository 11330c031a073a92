using OnnxReg.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Export.Emitters;

/// <summary>Conv2d → <c>Conv</c> with kernel_shape, strides, pads, dilations and group (zero padding only).</summary>
public sealed class Conv2dEmitter : IModuleEmitter
{
    /// <inheritdoc />
    public Type ModuleType => typeof(Conv2d);

    /// <inheritdoc />
    public string Emit(EmitContext context, nn.Module module, string input)
    {
        var conv = (Conv2d)module;
        if (conv.padding_mode != PaddingModes.Zeros)
            throw new ExportNotSupportedException($"Conv2d at '{context.Path}' uses padding mode {conv.padding_mode}; only zero padding can be exported. Use padding_mode: Zeros.");
        long[] kernel = conv.kernel_size;
        long[] dilation = conv.dilation;
        long[] pads = Pads(conv, kernel, dilation, context.Path);
        var inputs = new List<string> { input, TensorValues.AddParameter(context, conv.weight!, "weight") };
        if (conv.bias is { } bias) inputs.Add(TensorValues.AddParameter(context, bias, "bias"));
        return context.Builder.AddNode("Conv", context.Path, inputs,
            OnnxAttribute.Ints("kernel_shape", kernel),
            OnnxAttribute.Ints("strides", conv.stride),
            OnnxAttribute.Ints("pads", pads),
            OnnxAttribute.Ints("dilations", dilation),
            OnnxAttribute.Int("group", conv.groups));
    }

    // ONNX pads are [top, left, bottom, right]. PyTorch's "same" puts the odd extra pixel at the end.
    private static long[] Pads(Conv2d conv, long[] kernel, long[] dilation, string path)
    {
        if (conv.padding_type == Padding.Same)
        {
            if (conv.stride.Any(s => s != 1))
                throw new ExportNotSupportedException($"Conv2d at '{path}' uses padding 'same' with a stride other than 1, which PyTorch itself rejects.");
            long totalH = dilation[0] * (kernel[0] - 1), totalW = dilation[1] * (kernel[1] - 1);
            return [totalH / 2, totalW / 2, totalH - totalH / 2, totalW - totalW / 2];
        }
        if (conv.padding_type == Padding.Valid || conv.padding is null)
            return [0, 0, 0, 0];
        return [conv.padding[0], conv.padding[1], conv.padding[0], conv.padding[1]];
    }
}
