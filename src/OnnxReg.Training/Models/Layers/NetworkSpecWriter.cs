using System.Text.Json;

namespace OnnxReg.Training.Models.Layers;

/// <summary>Writes layers in the model file's form: type, name, and each option that differs from its default.</summary>
internal static class NetworkSpecWriter
{
    public static void Write(Utf8JsonWriter writer, IEnumerable<LayerSpec> layers)
    {
        writer.WriteStartArray();
        foreach (var layer in layers)
            WriteLayer(writer, layer);
        writer.WriteEndArray();
    }

    private static void WriteLayer(Utf8JsonWriter writer, LayerSpec layer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", layer.Type);
        writer.WriteString("name", layer.Name);
        switch (layer)
        {
            case Conv2dSpec conv:
                Optional(writer, "in_channels", conv.InChannels);
                writer.WriteNumber("out_channels", conv.OutChannels);
                Size(writer, "kernel_size", conv.KernelSize);
                if (conv.Stride != Size2.Square(1)) Size(writer, "stride", conv.Stride);
                if (conv.PaddingMode is { } mode) writer.WriteString("padding", mode);
                else if (conv.Padding != Size2.Square(0)) Size(writer, "padding", conv.Padding);
                if (conv.Dilation != Size2.Square(1)) Size(writer, "dilation", conv.Dilation);
                if (conv.Groups != 1) writer.WriteNumber("groups", conv.Groups);
                if (!conv.Bias) writer.WriteBoolean("bias", false);
                break;
            case LinearSpec linear:
                Optional(writer, "in_features", linear.InFeatures);
                Optional(writer, "out_features", linear.OutFeatures);
                if (!linear.Bias) writer.WriteBoolean("bias", false);
                break;
            case BatchNormSpec norm:
                Optional(writer, "num_features", norm.NumFeatures);
                if (norm.Eps != 1e-5) writer.WriteNumber("eps", norm.Eps);
                if (norm.Momentum != 0.1) writer.WriteNumber("momentum", norm.Momentum);
                break;
            case ActivationSpec { Kind: "leakyrelu" } leaky:
                writer.WriteNumber("negative_slope", leaky.NegativeSlope);
                break;
            case ActivationSpec { Kind: "gelu", Approximate: "tanh" }:
                writer.WriteString("approximate", "tanh");
                break;
            case ActivationSpec { Kind: "softmax" or "logsoftmax" } softmax:
                writer.WriteNumber("dim", softmax.Dim);
                break;
            case Pool2dSpec pool:
                Size(writer, "kernel_size", pool.KernelSize);
                if (pool.Stride != pool.KernelSize) Size(writer, "stride", pool.Stride);
                if (pool.Padding != Size2.Square(0)) Size(writer, "padding", pool.Padding);
                if (pool.Average && !pool.CountIncludePad) writer.WriteBoolean("count_include_pad", false);
                break;
            case AdaptiveAvgPool2dSpec adaptive:
                Size(writer, "output_size", adaptive.OutputSize);
                break;
            case DropoutSpec dropout:
                writer.WriteNumber("p", dropout.P);
                break;
            case ResidualSpec block:
                writer.WritePropertyName("body");
                Write(writer, block.Body);
                if (block.Shortcut is { } shortcut)
                {
                    writer.WritePropertyName("shortcut");
                    Write(writer, shortcut);
                }
                break;
            case SequentialSpec sequence:
                writer.WritePropertyName("layers");
                Write(writer, sequence.Layers);
                break;
        }
        writer.WriteEndObject();
    }

    private static void Optional(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is int n) writer.WriteNumber(name, n);
    }

    private static void Size(Utf8JsonWriter writer, string name, Size2 size)
    {
        if (size.IsSquare)
        {
            writer.WriteNumber(name, size.Height);
            return;
        }
        writer.WriteStartArray(name);
        writer.WriteNumberValue(size.Height);
        writer.WriteNumberValue(size.Width);
        writer.WriteEndArray();
    }
}
