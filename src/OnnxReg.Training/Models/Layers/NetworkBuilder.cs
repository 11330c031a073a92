using OnnxReg.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Training.Models.Layers;

/// <summary>
/// Builds a model file's network as TorchSharp modules — a <see cref="Sequential"/> of the layers under their names,
/// sequences nested as the file nests them, residual blocks as <see cref="ResidualBlock"/> — with the input sizes
/// <see cref="NetworkShapes"/> worked out. Dropout rates come from the file unless <see cref="ModelOptions.DropoutRates"/>
/// or <see cref="ModelOptions.SpatialDropoutRates"/> override them (one rate for all, or one per layer in file order).
/// </summary>
internal sealed class NetworkBuilder
{
    private readonly ModelOptions _options;
    private readonly Dictionary<string, long[]> _outputs;
    private int _dropout, _spatialDropout;

    private NetworkBuilder(ModelOptions options, NetworkShapes shapes)
    {
        _options = options;
        _outputs = shapes.Layers.ToDictionary(l => l.Path, l => l.OutputShape, StringComparer.Ordinal);
    }

    /// <summary>Builds <paramref name="shapes"/>' network (<paramref name="network"/>, already checked) for inputs of
    /// <paramref name="input"/> per sample, with <paramref name="options"/>' dropout rates.</summary>
    public static Sequential Build(ModelOptions options, NetworkSpec network, NetworkShapes shapes, long[] input) =>
        new NetworkBuilder(options, shapes).Sequence(network.Layers, "", input);

    private Sequential Sequence(IReadOnlyList<LayerSpec> layers, string path, long[] input)
    {
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        foreach (var layer in layers)
        {
            string layerPath = path.Length == 0 ? layer.Name : $"{path}.{layer.Name}";
            modules.Add((layer.Name, Module(layer, layerPath, input)));
            input = _outputs[layerPath];
        }
        return nn.Sequential(modules);
    }

    private nn.Module<Tensor, Tensor> Module(LayerSpec layer, string path, long[] input)
    {
        switch (layer)
        {
            case Conv2dSpec conv:
            {
                var kernel = ((long)conv.KernelSize.Height, (long)conv.KernelSize.Width);
                var stride = ((long)conv.Stride.Height, (long)conv.Stride.Width);
                var dilation = ((long)conv.Dilation.Height, (long)conv.Dilation.Width);
                return conv.PaddingMode is { } mode
                    ? nn.Conv2d(input[0], conv.OutChannels, kernel, mode == "same" ? Padding.Same : Padding.Valid, stride, dilation, groups: conv.Groups, bias: conv.Bias)
                    : nn.Conv2d(input[0], conv.OutChannels, kernel, stride, (conv.Padding.Height, conv.Padding.Width), dilation, groups: conv.Groups, bias: conv.Bias);
            }
            case LinearSpec linear:
                return nn.Linear(input[0], _outputs[path][0], linear.Bias);
            case BatchNormSpec norm:
                return input.Length == 1 ? nn.BatchNorm1d(input[0], norm.Eps, norm.Momentum) : nn.BatchNorm2d(input[0], norm.Eps, norm.Momentum);
            case ActivationSpec activation:
                return activation.Kind switch
                {
                    "relu" => nn.ReLU(),
                    "leakyrelu" => nn.LeakyReLU(activation.NegativeSlope),
                    "tanh" => nn.Tanh(),
                    "sigmoid" => nn.Sigmoid(),
                    "silu" => nn.SiLU(),
                    "gelu" => nn.GELU(activation.Approximate == "tanh" ? GELU.Approximate.tanh : GELU.Approximate.none),
                    "softmax" => nn.Softmax(activation.Dim),
                    "logsoftmax" => nn.LogSoftmax(activation.Dim),
                    _ => throw new ArgumentException($"Unknown activation '{activation.Kind}'."),
                };
            case Pool2dSpec pool:
            {
                long[] kernel = [pool.KernelSize.Height, pool.KernelSize.Width], stride = [pool.Stride.Height, pool.Stride.Width];
                long[] padding = [pool.Padding.Height, pool.Padding.Width];
                return pool.Average
                    ? nn.AvgPool2d(kernel, stride, padding, count_include_pad: pool.CountIncludePad)
                    : nn.MaxPool2d(kernel, stride, padding);
            }
            case AdaptiveAvgPool2dSpec adaptive:
                return nn.AdaptiveAvgPool2d((adaptive.OutputSize.Height, adaptive.OutputSize.Width));
            case FlattenSpec:
                return nn.Flatten();
            case DropoutSpec { Spatial: false } dropout:
                return nn.Dropout(_options.DropoutRates is null ? dropout.P : _options.DropoutRateAt(_dropout++));
            case DropoutSpec spatial:
                return nn.Dropout2d(_options.SpatialDropoutRates is null ? spatial.P : _options.SpatialDropoutRateAt(_spatialDropout++));
            case ResidualSpec block:
                var body = Sequence(block.Body, $"{path}.body", input);
                return new ResidualBlock(body, block.Shortcut is { } projection ? Sequence(projection, $"{path}.shortcut", input) : null);
            case SequentialSpec sequence:
                return Sequence(sequence.Layers, path, input);
            default:
                throw new ArgumentException($"No module for layer type '{layer.Type}'.");
        }
    }
}
