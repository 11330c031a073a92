using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Training.Models;

/// <summary>
/// Builds the preset models as TorchSharp <see cref="Sequential"/> networks that take images as
/// [N, channels, height, width] and return class logits [N, classes]. Layer names are stable
/// (<c>fc1</c>, <c>conv1</c>, <c>dropout1</c>…) because the exporter uses them for node names.
/// </summary>
public static class ModelPresets
{
    /// <summary>Builds <paramref name="preset"/> for the given input and class count, initialized from <paramref name="seed"/>.</summary>
    /// <param name="preset">Which architecture.</param>
    /// <param name="channels">Input channels.</param>
    /// <param name="height">Input height.</param>
    /// <param name="width">Input width.</param>
    /// <param name="classes">Number of output classes.</param>
    /// <param name="dropoutRate">Dropout probability before each fully connected layer after the first (0 for none).</param>
    /// <param name="seed">Seeds the weight initialization so the same call gives the same weights.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the rate is not in [0, 1).</exception>
    public static Sequential Create(ModelPreset preset, int channels, int height, int width, int classes, double dropoutRate, int seed)
    {
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException(nameof(channels), $"Input shape must be positive; received [{channels}, {height}, {width}].");
        if (classes < 2)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classifier needs at least 2 classes.");
        if (!(dropoutRate >= 0 && dropoutRate < 1))
            throw new ArgumentOutOfRangeException(nameof(dropoutRate), dropoutRate,
                $"Dropout rate must be in [0, 1). Received: {dropoutRate}. Use 0 to disable dropout.");
        torch.random.manual_seed(seed);
        return preset switch
        {
            ModelPreset.Mlp => Mlp(channels * height * width, [256, 128], classes, dropoutRate),
            ModelPreset.Cnn => Cnn(channels, height, width, classes, dropoutRate),
            _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, $"Unknown preset. Supported: {string.Join(", ", Enum.GetNames<ModelPreset>())}."),
        };
    }

    private static Sequential Mlp(int inputs, int[] hidden, int classes, double dropoutRate)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("flatten", nn.Flatten()) };
        int width = inputs;
        for (int i = 0; i < hidden.Length; i++)
        {
            if (i > 0 && dropoutRate > 0) layers.Add(($"dropout{i}", nn.Dropout(dropoutRate)));
            layers.Add(($"fc{i + 1}", nn.Linear(width, hidden[i])));
            layers.Add(($"relu{i + 1}", nn.ReLU()));
            width = hidden[i];
        }
        if (dropoutRate > 0) layers.Add(($"dropout{hidden.Length}", nn.Dropout(dropoutRate)));
        layers.Add(($"fc{hidden.Length + 1}", nn.Linear(width, classes)));
        return nn.Sequential(layers);
    }

    private static Sequential Cnn(int channels, int height, int width, int classes, double dropoutRate)
    {
        if (height < 4 || width < 4)
            throw new ArgumentOutOfRangeException(nameof(height), $"The CNN preset pools twice by 2 and needs images of at least 4x4; received {height}x{width}.");
        var features = nn.Sequential(
            ("conv1", nn.Conv2d(channels, 32, 3, padding: 1)),
            ("relu1", nn.ReLU()),
            ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(32, 64, 3, padding: 1)),
            ("relu2", nn.ReLU()),
            ("pool2", nn.MaxPool2d(2)));
        var head = new List<(string, nn.Module<Tensor, Tensor>)> { ("flatten", nn.Flatten()) };
        if (dropoutRate > 0) head.Add(("dropout1", nn.Dropout(dropoutRate)));
        head.Add(("fc1", nn.Linear(64 * (height / 4) * (width / 4), 128)));
        head.Add(("relu", nn.ReLU()));
        if (dropoutRate > 0) head.Add(("dropout2", nn.Dropout(dropoutRate)));
        head.Add(("fc2", nn.Linear(128, classes)));
        return nn.Sequential(("features", features), ("classifier", nn.Sequential(head)));
    }
}
