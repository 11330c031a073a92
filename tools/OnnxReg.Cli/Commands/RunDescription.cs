using System.Globalization;
using OnnxReg.Training;
using OnnxReg.Training.Techniques;

namespace OnnxReg.Cli.Commands;

/// <summary>One-line descriptions of a configuration and of an epoch, for the console.</summary>
internal static class RunDescription
{
    /// <summary>E.g. <c>cnn, conv channels 32/64/128 for 3x64x64 input</c>: the preset as built for these images, so a
    /// deepened default is visible.</summary>
    public static string Architecture(Training.Models.ModelOptions model, Data.ImageDataset images) =>
        Architecture(model, images.Channels, images.Height, images.Width);

    /// <summary>The same for an input of <paramref name="imageChannels"/> × <paramref name="height"/> × <paramref name="width"/>.</summary>
    public static string Architecture(Training.Models.ModelOptions model, int imageChannels, int height, int width)
    {
        var name = model.Preset.ToString().ToLowerInvariant();
        var input = $"{imageChannels}x{height}x{width} input";
        if (model.Layers is { } network)
        {
            var types = network.AllLayers.Where(l => l is not Training.Models.Layers.SequentialSpec).GroupBy(l => l.Type).Select(g => $"{g.Key} x{g.Count()}");
            return $"model file network of {network.AllLayers.Count()} layers ({string.Join(", ", types)}) for {input}";
        }
        if (model.Preset == Training.Models.ModelPreset.Mlp) return $"{name} for {input}";
        var channels = model.ConvChannelsFor(height, width);
        var deepened = model.ConvChannels is null && channels.Length > model.ResolvedConvChannels.Length ? " (deepened for the image size)" : "";
        return $"{name}, {(model.Preset == Training.Models.ModelPreset.ResNet ? "stage" : "conv")} channels {string.Join("/", channels)}{deepened} for {input}";
    }

    /// <summary>The configuration's regularization in words: each technique of the registry describes itself, with
    /// the per-layer penalties after the L2 one, a model file's own regularizing layers after batch norm, and the schedule.</summary>
    public static string Regularization(TrainingConfiguration c)
    {
        var parts = new List<string>();
        foreach (var technique in TechniqueRegistry.All)
        {
            if (technique.Describe(c) is { } words) parts.Add(words);
            if (technique.Name == "l2" && c.Penalty.Layers is { Count: > 0 } layers) parts.Add($"per-layer penalties ({string.Join(", ", layers.Keys)})");
            if (technique.Name == "batch-norm" && c.Model.Layers is { } network) parts.AddRange(ModelFileRegularization(c.Model, network));
        }
        if (c.Schedule.Kind != OnnxReg.Training.Schedules.LearningRateScheduleKind.Constant) parts.Add($"{c.Schedule.Kind} schedule");
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    // The regularizing layers a model file brings itself (rates an option overrides are listed above).
    private static IEnumerable<string> ModelFileRegularization(Training.Models.ModelOptions model, Training.Models.Layers.NetworkSpec network)
    {
        var layers = network.AllLayers.ToList();
        string Rates(bool spatial) => string.Join("/", layers.OfType<Training.Models.Layers.DropoutSpec>().Where(d => d.Spatial == spatial)
            .Select(d => d.P.ToString("G4", CultureInfo.InvariantCulture)));
        if (model.DropoutRates is null && network.DropoutCount > 0) yield return $"dropout {Rates(false)} (model file)";
        if (model.SpatialDropoutRates is null && network.SpatialDropoutCount > 0) yield return $"dropout2d {Rates(true)} (model file)";
        if (layers.Any(l => l is Training.Models.Layers.BatchNormSpec)) yield return "batch norm (model file)";
    }

    public static string Epoch(EpochMetrics epoch, int total) =>
        $"epoch {epoch.Epoch,3}/{total}  loss {CommonOptions.Format(epoch.TrainLoss)}" +
        (epoch.Penalty > 0 ? $"  penalty {CommonOptions.Format(epoch.Penalty)}" : "") +
        $"  accuracy {CommonOptions.Format(epoch.TrainAccuracy)}" +
        (epoch.ValidationLoss is double vl ? $"  val_loss {CommonOptions.Format(vl)}  val_accuracy {CommonOptions.Format(epoch.ValidationAccuracy!.Value)}" : "") +
        $"  lr {epoch.LearningRate.ToString("G3", CultureInfo.InvariantCulture)}  ({epoch.Seconds:0.0} s)";
}
