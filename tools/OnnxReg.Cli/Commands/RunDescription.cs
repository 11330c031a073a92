using System.Globalization;
using OnnxReg.Training;

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

    public static string Regularization(TrainingConfiguration c)
    {
        static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
        var parts = new List<string>();
        if (c.Penalty.L1 > 0) parts.Add($"L1 {F(c.Penalty.L1)}");
        if (c.Penalty.L2 > 0) parts.Add($"L2 {F(c.Penalty.L2)}");
        if (c.Penalty.Layers is { Count: > 0 } layers) parts.Add($"per-layer penalties ({string.Join(", ", layers.Keys)})");
        if (c.Training.WeightDecay > 0) parts.Add($"AdamW weight decay {F(c.Training.WeightDecay)}");
        if (c.MaxNorm is double m) parts.Add($"max-norm {F(m)}");
        if (c.ClipGradNorm is double g) parts.Add($"gradients clipped to norm {F(g)}");
        if (c.ClassWeights is { } w) parts.Add(w.Balanced ? "balanced class weights" : $"class weights {string.Join("/", w.Values!.Select(F))}");
        if (c.Model.DropoutRates is { } d && d.Any(r => r > 0)) parts.Add($"dropout {string.Join("/", d.Select(F))}");
        if (c.Model.SpatialDropoutRates is { } s && s.Any(r => r > 0)) parts.Add($"dropout2d {string.Join("/", s.Select(F))}");
        if (c.Model.BatchNorm) parts.Add("batch norm");
        if (c.Model.Layers is { } network) parts.AddRange(ModelFileRegularization(c.Model, network));
        if (c.Training.LabelSmoothing > 0) parts.Add($"label smoothing {F(c.Training.LabelSmoothing)}");
        if (!c.Augmentation.IsEmpty) parts.Add($"augmentation {c.Augmentation}");
        if (c.EarlyStopping is { } es) parts.Add($"early stopping on {es.Monitor} (patience {es.Patience}{(es.RestoreBestWeights ? ", restore best" : "")})");
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
