using OnnxReg.Modules;
using TorchSharp;
using OnnxReg.Training.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Training.Models;

/// <summary>
/// Builds the preset models as TorchSharp <see cref="Sequential"/> networks that take images as
/// [N, channels, height, width] and return class logits [N, classes]. Layer names are stable
/// (<c>fc1</c>, <c>conv1</c>, <c>dropout1</c>…) because the exporter and per-layer penalties use them.
/// </summary>
public static class ModelPresets
{
    /// <summary>Builds <paramref name="preset"/> with <paramref name="dropoutRate"/> at every dropout position.</summary>
    public static Sequential Create(ModelPreset preset, int channels, int height, int width, int classes, double dropoutRate, int seed) =>
        Create(new ModelOptions(preset, DropoutRates: [dropoutRate]), channels, height, width, classes, seed);

    /// <summary>Builds the model <paramref name="options"/> describe, initialized from <paramref name="seed"/>.</summary>
    /// <param name="options">Architecture and regularizing layers.</param>
    /// <param name="channels">Input channels.</param>
    /// <param name="height">Input height.</param>
    /// <param name="width">Input width.</param>
    /// <param name="classes">Number of output classes.</param>
    /// <param name="seed">Seeds the weight initialization so the same call gives the same weights.</param>
    /// <param name="batchSize">The training batch size, for the memory estimate checked before building (<see cref="ModelBudget"/>).</param>
    /// <exception cref="ArgumentException">An option or size is out of range, or the network is over the parameter or
    /// memory budget of <see cref="Data.ResourceLimits"/> (the message says which).</exception>
    public static Sequential Create(ModelOptions options, int channels, int height, int width, int classes, int seed, int batchSize = 1)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CpuKernels.ApplyLogLevel(); // before the first layer exists, so libtorch's warnings never reach the terminal
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException(nameof(channels), $"Input shape must be positive; received [{channels}, {height}, {width}].");
        if (classes < 2)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classifier needs at least 2 classes.");
        if (options.Preset == ModelPreset.Custom)
        {
            var network = options.Layers!;
            var shapes = NetworkShapes.Infer(network, channels, height, width, classes);
            new ModelBudget(shapes.Parameters, shapes.ActivationsPerSample).Check("network of the model file", Math.Max(1, batchSize));
            torch.random.manual_seed(seed);
            return NetworkBuilder.Build(options, network, shapes, [channels, height, width]);
        }
        ModelBudget.Estimate(options, channels, height, width, classes).Check(options.Preset.ToString().ToLowerInvariant(), Math.Max(1, batchSize));
        torch.random.manual_seed(seed);
        return options.Preset switch
        {
            ModelPreset.Mlp => Mlp(options, channels * height * width, classes),
            ModelPreset.Cnn => Cnn(options, channels, height, width, classes),
            ModelPreset.ResNet => ResNet(options, channels, height, width, classes),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Preset, $"Unknown preset. Supported: {string.Join(", ", Enum.GetNames<ModelPreset>())}."),
        };
    }

    private static Sequential Mlp(ModelOptions options, int inputs, int classes)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("flatten", nn.Flatten()) };
        AddDenseStack(layers, options, inputs, classes, dropoutBeforeFirst: false);
        return nn.Sequential(layers);
    }

    private static Sequential Cnn(ModelOptions options, int channels, int height, int width, int classes)
    {
        int[] blocks = options.ConvChannelsFor(height, width);
        int size = 1 << blocks.Length;
        if (height < size || width < size)
            throw new ArgumentOutOfRangeException(nameof(height), $"The CNN preset pools {blocks.Length} times by 2 and needs images of at least {size}x{size}; received {width}x{height} (width x height).");
        var features = new List<(string, nn.Module<Tensor, Tensor>)>();
        int inChannels = channels;
        for (int b = 0; b < blocks.Length; b++)
        {
            int n = b + 1;
            features.Add(($"conv{n}", nn.Conv2d(inChannels, blocks[b], 3, padding: 1)));
            if (options.BatchNorm) features.Add(($"bn{n}", nn.BatchNorm2d(blocks[b])));
            features.Add(($"relu{n}", nn.ReLU()));
            features.Add(($"pool{n}", nn.MaxPool2d(2)));
            if (options.SpatialDropoutRateAt(b) is > 0 and var rate) features.Add(($"dropout2d{n}", nn.Dropout2d(rate)));
            inChannels = blocks[b];
            height /= 2;
            width /= 2;
        }
        var head = new List<(string, nn.Module<Tensor, Tensor>)> { ("flatten", nn.Flatten()) };
        AddDenseStack(head, options, inChannels * height * width, classes, dropoutBeforeFirst: true);
        return nn.Sequential(("features", nn.Sequential(features)), ("classifier", nn.Sequential(head)));
    }

    private static Sequential ResNet(ModelOptions options, int channels, int height, int width, int classes)
    {
        int[] stages = options.ConvChannelsFor(height, width);
        int size = 1 << (stages.Length - 1);
        if (height < size || width < size)
            throw new ArgumentOutOfRangeException(nameof(height), $"The ResNet preset halves the image {stages.Length - 1} times and needs at least {size}x{size}; received {width}x{height} (width x height).");
        var features = new List<(string, nn.Module<Tensor, Tensor>)> { ("stem", ConvUnit(channels, stages[0], 1, options.BatchNorm, relu: true)) };
        int inChannels = stages[0];
        for (int s = 0; s < stages.Length; s++)
        {
            int n = s + 1, stride = s == 0 ? 1 : 2;
            var body = nn.Sequential(
                ("conv1", ConvUnit(inChannels, stages[s], stride, options.BatchNorm, relu: true)),
                ("conv2", ConvUnit(stages[s], stages[s], 1, options.BatchNorm, relu: false)));
            Sequential? shortcut = null;
            if (stride != 1 || inChannels != stages[s])
            {
                var projection = new List<(string, nn.Module<Tensor, Tensor>)> { ("conv", nn.Conv2d(inChannels, stages[s], 1, stride: stride, bias: !options.BatchNorm)) };
                if (options.BatchNorm) projection.Add(("bn", nn.BatchNorm2d(stages[s])));
                shortcut = nn.Sequential(projection);
            }
            features.Add(($"block{n}", new ResidualBlock(body, shortcut)));
            features.Add(($"relu{n}", nn.ReLU()));
            if (options.SpatialDropoutRateAt(s) is > 0 and var rate) features.Add(($"dropout2d{n}", nn.Dropout2d(rate)));
            inChannels = stages[s];
        }
        features.Add(("pool", nn.AdaptiveAvgPool2d(1)));
        var head = new List<(string, nn.Module<Tensor, Tensor>)> { ("flatten", nn.Flatten()) };
        AddDenseStack(head, options, inChannels, classes, dropoutBeforeFirst: true);
        return nn.Sequential(("features", nn.Sequential(features)), ("classifier", nn.Sequential(head)));
    }

    // 3×3 convolution (no bias when a BatchNorm follows), optional BatchNorm, optional ReLU.
    private static Sequential ConvUnit(int inChannels, int outChannels, int stride, bool batchNorm, bool relu)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("conv", nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: !batchNorm)) };
        if (batchNorm) layers.Add(("bn", nn.BatchNorm2d(outChannels)));
        if (relu) layers.Add(("relu", nn.ReLU()));
        return nn.Sequential(layers);
    }

    // Hidden layers Linear (+ BatchNorm1d) + ReLU, then the output layer; dropout positions are counted in order.
    private static void AddDenseStack(List<(string, nn.Module<Tensor, Tensor>)> layers, ModelOptions options, int inputs, int classes, bool dropoutBeforeFirst)
    {
        int[] hidden = options.ResolvedHiddenSizes;
        int position = 0;
        int width = inputs;
        for (int i = 0; i <= hidden.Length; i++)
        {
            int n = i + 1;
            if ((i > 0 || dropoutBeforeFirst) && options.DropoutRateAt(position++) is > 0 and var rate)
                layers.Add(($"dropout{n}", nn.Dropout(rate)));
            if (i == hidden.Length)
            {
                layers.Add(($"fc{n}", nn.Linear(width, classes)));
                break;
            }
            layers.Add(($"fc{n}", nn.Linear(width, hidden[i])));
            if (options.BatchNorm) layers.Add(($"bn{n}", nn.BatchNorm1d(hidden[i])));
            layers.Add(($"relu{n}", nn.ReLU()));
            width = hidden[i];
        }
    }
}
