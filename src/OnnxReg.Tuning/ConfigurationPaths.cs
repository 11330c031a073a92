using System.Text.Json.Nodes;
using OnnxReg.Data;
using OnnxReg.Study;
using OnnxReg.Training;
using OnnxReg.Training.Augmentation;

namespace OnnxReg.Tuning;

/// <summary>
/// Sets any option of a <see cref="TrainingConfiguration"/> by name: a dotted path in its JSON form
/// (<c>training.learningRate</c>, <c>penalty.l2</c>, <c>model.dropoutRates</c>…, as <c>--write-config</c> writes it), or
/// one of the short names below. The result is read back through <see cref="TrainingConfiguration.FromJson"/>, so a value
/// out of range or a path that is not an option fails with the configuration's own message.
/// </summary>
public static class ConfigurationPaths
{
    /// <summary>The short names and what they set.</summary>
    public static IReadOnlyDictionary<string, string> Aliases { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["l1"] = "penalty.l1",
        ["l2"] = "penalty.l2",
        ["dropout"] = "model.dropoutRates (one rate at every position)",
        ["spatial-dropout"] = "model.spatialDropoutRates (one rate at every position)",
        ["label-smoothing"] = "training.labelSmoothing",
        ["weight-decay"] = "training.weightDecay (and the AdamW optimizer when above 0)",
        ["max-norm"] = "maxNorm (0: none)",
        ["augmentation"] = "augmentation at strength s: hflip, rotate 10·s°, scale 1 ± 0.1·s, translate 0.08·s (0: none)",
        ["lr"] = "training.learningRate",
        ["batch-size"] = "training.batchSize",
        ["momentum"] = "training.momentum",
        ["optimizer"] = "training.optimizer",
        ["patience"] = "earlyStopping.patience (early stopping on val_loss is enabled if it was not)",
    };

    /// <summary><paramref name="configuration"/> with each named option set to its value.</summary>
    /// <exception cref="ArgumentException">A name is not an option, or a value is out of its range (the message names it).</exception>
    public static TrainingConfiguration Apply(TrainingConfiguration configuration, IReadOnlyDictionary<string, JsonNode> values)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(values);
        var root = JsonNode.Parse(configuration.ToJson())!.AsObject();
        foreach (var (name, value) in values)
        {
            switch (name)
            {
                case "l1": Set(root, "penalty.l1", value); break;
                case "l2": Set(root, "penalty.l2", value); break;
                case "dropout": Set(root, "model.dropoutRates", new JsonArray(value.DeepClone())); break;
                case "spatial-dropout": Set(root, "model.spatialDropoutRates", new JsonArray(value.DeepClone())); break;
                case "label-smoothing": Set(root, "training.labelSmoothing", value); break;
                case "weight-decay":
                    Set(root, "training.weightDecay", value);
                    if (value.GetValue<double>() > 0) Set(root, "training.optimizer", JsonValue.Create("adamW"));
                    break;
                case "max-norm":
                    if (value.GetValue<double>() > 0) Set(root, "maxNorm", value);
                    else root.Remove("maxNorm");
                    break;
                case "augmentation":
                    var augmentation = new TrainingConfiguration { Augmentation = AugmentationOptions.Parse(StudySweep.Augmentation(value.GetValue<double>())) }.ToJson();
                    root["augmentation"] = JsonNode.Parse(augmentation)!["augmentation"]!.DeepClone();
                    break;
                case "lr": Set(root, "training.learningRate", value); break;
                case "batch-size": Set(root, "training.batchSize", value); break;
                case "momentum": Set(root, "training.momentum", value); break;
                case "optimizer": Set(root, "training.optimizer", value); break;
                case "patience":
                    if (root["earlyStopping"] is null) root["earlyStopping"] = new JsonObject { ["monitor"] = "val_loss" };
                    Set(root, "earlyStopping.patience", value);
                    break;
                default:
                    // Checked against the configuration's own names, so a mistake reads as one, not as .NET's
                    // "could not be mapped to any .NET member contained in type …".
                    if (!TrainingConfiguration.OptionPaths().Contains(name, StringComparer.Ordinal))
                        throw new ArgumentException(
                            $"Setting {name}={value.ToJsonString()}: '{name}' is neither a tuning name nor a configuration option" +
                            $"{DidYouMean.Hint(name, Aliases.Keys.Concat(TrainingConfiguration.OptionPaths()))}; the names are {string.Join(", ", Aliases.Keys)}, " +
                            "or any option path as --write-config writes it (training.learningRate, penalty.l2, …)", nameof(values));
                    Set(root, name, value);
                    break;
            }
        }
        try
        {
            return TrainingConfiguration.FromJson(root.ToJsonString());
        }
        catch (InvalidDataException e)
        {
            throw new ArgumentException($"Setting {string.Join(", ", values.Select(v => $"{v.Key}={v.Value.ToJsonString()}"))}: {ErrorMessages.OneLine(e)}", e);
        }
    }

    // Walks (and creates) the objects on the way; the last name is set. Names are JSON's, camelCase.
    private static void Set(JsonObject root, string path, JsonNode value)
    {
        var names = path.Split('.');
        var node = root;
        foreach (var name in names[..^1])
        {
            if (node[name] is not JsonObject child)
                node[name] = child = new JsonObject();
            node = child;
        }
        node[names[^1]] = value.DeepClone();
    }
}
