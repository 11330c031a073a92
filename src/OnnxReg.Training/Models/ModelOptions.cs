using OnnxReg.Training.Models.Layers;

namespace OnnxReg.Training.Models;

/// <summary>
/// The architecture of a preset model and the regularizing layers placed in it. Every list may hold one value
/// (used at every position) or one value per position; null means the preset's default.
/// </summary>
/// <param name="Preset">MLP, CNN, ResNet, or Custom for the network of <paramref name="Layers"/>.</param>
/// <param name="HiddenSizes">Units of each hidden fully connected layer (MLP default [256, 128]; CNN head [128]; ResNet head none).</param>
/// <param name="ConvChannels">CNN and ResNet: output channels of each convolution block or residual stage (CNN default [32, 64],
/// ResNet [16, 32]); each CNN block and each ResNet stage after the first halves the image size.</param>
/// <param name="DropoutRates">Dropout (elementwise) rate before each fully connected layer that follows a hidden
/// representation — in the MLP before every layer after the first, in the CNN before every head layer. 0 means
/// no dropout layer at that position.</param>
/// <param name="SpatialDropoutRates">CNN and ResNet: Dropout2d (whole channels) rate after each convolution block or residual stage.</param>
/// <param name="BatchNorm">Adds BatchNorm1d after each hidden fully connected layer and BatchNorm2d after each
/// convolution, before the activation.</param>
/// <param name="Layers">The Custom preset's network, from a model file; its dropout and Dropout2d layers are the
/// positions <paramref name="DropoutRates"/> and <paramref name="SpatialDropoutRates"/> set when given.</param>
public sealed record ModelOptions(
    ModelPreset Preset = ModelPreset.Mlp,
    int[]? HiddenSizes = null,
    int[]? ConvChannels = null,
    double[]? DropoutRates = null,
    double[]? SpatialDropoutRates = null,
    bool BatchNorm = false,
    NetworkSpec? Layers = null)
{
    /// <summary>The hidden sizes used (the preset default when <see cref="HiddenSizes"/> is null).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int[] ResolvedHiddenSizes => HiddenSizes ?? Preset switch { ModelPreset.Mlp => [256, 128], ModelPreset.Cnn => [128], _ => [] };

    /// <summary>The convolution channels used (CNN).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int[] ResolvedConvChannels => ConvChannels ?? (Preset == ModelPreset.ResNet ? [16, 32] : [32, 64]);

    /// <summary>
    /// The convolution channels used for images of <paramref name="height"/> × <paramref name="width"/>: the given
    /// <see cref="ConvChannels"/>, else the preset's default deepened for larger images, so the features the head sees
    /// stay small. The CNN adds a block (doubling the channels, at most 256) until its last feature map is at most 8
    /// pixels on the shorter side (28 × 28 keeps [32, 64], 64 × 64 gets [32, 64, 128]); the ResNet adds a stage until
    /// it is at most 16 (28 × 28 keeps [16, 32], 64 × 64 gets [16, 32, 64]). A list of several Dropout2d rates pins the
    /// default depth.
    /// </summary>
    public int[] ConvChannelsFor(int height, int width)
    {
        if (ConvChannels is not null || Preset == ModelPreset.Mlp || SpatialDropoutRates is { Length: > 1 })
            return ResolvedConvChannels;
        var channels = new List<int>(ResolvedConvChannels);
        int side = Math.Min(height, width);
        bool resNet = Preset == ModelPreset.ResNet;
        // The CNN halves the image once per block; the ResNet once per stage after the first.
        int Final() => side >> (resNet ? channels.Count - 1 : channels.Count);
        while (Final() > (resNet ? 16 : 8) && channels.Count < 8)
            channels.Add(Math.Min(256, channels[^1] * 2));
        return [.. channels];
    }

    /// <summary>How many dropout positions the architecture has.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int DropoutPositions => Preset switch
    {
        ModelPreset.Custom => Layers?.DropoutCount ?? 0,
        ModelPreset.Mlp => ResolvedHiddenSizes.Length,
        _ => ResolvedHiddenSizes.Length + 1,
    };

    /// <summary>How many Dropout2d positions the architecture has.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int SpatialDropoutPositions => Preset switch
    {
        ModelPreset.Custom => Layers?.SpatialDropoutCount ?? 0,
        ModelPreset.Mlp => 0,
        _ => ResolvedConvChannels.Length,
    };

    /// <summary>The dropout rate at <paramref name="position"/> (0-based).</summary>
    public double DropoutRateAt(int position) => RateAt(DropoutRates, position);

    /// <summary>The Dropout2d rate after convolution block <paramref name="block"/> (0-based).</summary>
    public double SpatialDropoutRateAt(int block) => RateAt(SpatialDropoutRates, block);

    /// <summary>The most hidden layers, convolution blocks or residual stages a preset accepts.</summary>
    public const int MaxLayers = 64;

    /// <summary>Checks every value; the message names the option and the allowed range.</summary>
    /// <exception cref="ArgumentException">A value is out of range or a list has the wrong length.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Preset))
            throw new ArgumentOutOfRangeException(nameof(Preset), Preset, $"Unknown model preset. Supported: {string.Join(", ", Enum.GetNames<ModelPreset>())}.");
        if (Preset == ModelPreset.Custom)
        {
            ValidateCustom();
            return;
        }
        if (Layers is not null)
            throw new ArgumentException($"Layers (a model file's network) need the custom preset; the {Preset} builds its own layers.", nameof(Preset));
        foreach (var (name, count) in new[] { (nameof(HiddenSizes), HiddenSizes?.Length), (nameof(ConvChannels), ConvChannels?.Length),
                     (nameof(DropoutRates), DropoutRates?.Length), (nameof(SpatialDropoutRates), SpatialDropoutRates?.Length) })
            if (count > MaxLayers)
                throw new ArgumentException($"{name} lists {count:N0} values; a preset has at most {MaxLayers} layers of a kind.", name);
        if (ResolvedHiddenSizes.Length == 0 && Preset == ModelPreset.Mlp || ResolvedHiddenSizes.Any(s => s < 1))
            throw new ArgumentOutOfRangeException(nameof(HiddenSizes), $"Hidden sizes must be positive (the MLP needs at least one). Received: [{string.Join(", ", ResolvedHiddenSizes)}].");
        if (ResolvedConvChannels.Length == 0 || ResolvedConvChannels.Any(c => c < 1))
            throw new ArgumentOutOfRangeException(nameof(ConvChannels), $"Convolution channels must be positive, at least one block. Received: [{string.Join(", ", ResolvedConvChannels)}].");
        CheckRates(DropoutRates, DropoutPositions, nameof(DropoutRates), "Dropout rate");
        if (SpatialDropoutRates is not null && Preset == ModelPreset.Mlp)
            throw new ArgumentException($"Spatial dropout (Dropout2d) applies to the CNN preset only; the {Preset} has no convolutions.", nameof(SpatialDropoutRates));
        CheckRates(SpatialDropoutRates, SpatialDropoutPositions, nameof(SpatialDropoutRates), "Dropout2d rate");
    }

    private void ValidateCustom()
    {
        if (Layers is null)
            throw new ArgumentException("The custom preset needs its layers (a model file: --model my-net.json).", nameof(Preset));
        foreach (var (what, property, given) in new[] { ("Hidden sizes (a list)", nameof(HiddenSizes), HiddenSizes is not null),
                     ("Convolution channels (a list)", nameof(ConvChannels), ConvChannels is not null), ("Batch norm", nameof(BatchNorm), BatchNorm) })
            if (given)
                throw new ArgumentException($"{what} applies to the presets only; a model file describes every layer itself: put the change in the file.", property);
        CheckCustomRates(DropoutRates, Layers.DropoutCount, nameof(DropoutRates), "dropout");
        CheckCustomRates(SpatialDropoutRates, Layers.SpatialDropoutCount, nameof(SpatialDropoutRates), "dropout2d");
    }

    private static void CheckCustomRates(double[]? rates, int positions, string name, string type)
    {
        if (rates is not null && positions == 0)
            throw new ArgumentException($"{name} sets the rates of the network's {type} layers, and the model file has none: add {{\"type\": \"{type}\"}} where it belongs.", name);
        CheckRates(rates, positions, name, $"{(type == "dropout" ? "Dropout" : "Dropout2d")} rate");
    }

    private static void CheckRates(double[]? rates, int positions, string name, string what)
    {
        if (rates is null) return;
        if (rates.Length != 1 && rates.Length != positions)
            throw new ArgumentException($"{name} needs 1 value or {positions} (one per position); received {rates.Length}.", name);
        foreach (var rate in rates)
            if (!(rate >= 0 && rate < 1))
                throw new ArgumentOutOfRangeException(name, rate, $"{what} must be in [0, 1). Received: {rate}. Use 0 to disable it.");
    }

    private static double RateAt(double[]? rates, int position) =>
        rates is null || rates.Length == 0 ? 0 : rates.Length == 1 ? rates[0] : rates[position];
}
