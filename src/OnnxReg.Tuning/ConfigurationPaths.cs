using System.Text.Json.Nodes;
using OnnxReg.Data;
using OnnxReg.Training;
using OnnxReg.Training.Techniques;

namespace OnnxReg.Tuning;

/// <summary>
/// Sets any option of a <see cref="TrainingConfiguration"/> by name: a dotted path in its JSON form
/// (<c>training.learningRate</c>, <c>penalty.l2</c>, <c>model.dropoutRates</c>…, as <c>--write-config</c> writes it), or
/// one of the short names below. The result is read back through <see cref="TrainingConfiguration.FromJson"/>, so a value
/// out of range or a path that is not an option fails with the configuration's own message.
/// </summary>
public static class ConfigurationPaths
{
    // Optimization settings the tuner also searches; they are not regularization techniques, so they are not in the registry.
    private static readonly Dictionary<string, string> Hyperparameters = new(StringComparer.Ordinal)
    {
        ["lr"] = "training.learningRate",
        ["batch-size"] = "training.batchSize",
        ["momentum"] = "training.momentum",
        ["optimizer"] = "training.optimizer",
    };

    /// <summary>The short names and what they set: every technique of <see cref="TechniqueRegistry"/> (by name and
    /// alias, with the meaning of its strength) and the optimization settings lr, batch-size, momentum, optimizer.</summary>
    public static IReadOnlyDictionary<string, string> Aliases { get; } =
        TechniqueRegistry.ByName.Select(p => KeyValuePair.Create(p.Key, $"{p.Value.Strength}; {p.Value.Range}"))
            .Concat(Hyperparameters).ToDictionary(StringComparer.Ordinal);

    /// <summary><paramref name="configuration"/> with each named option set to its value: configuration paths first,
    /// then techniques at their strengths (a technique applies itself as it does in train and study).</summary>
    /// <exception cref="ArgumentException">A name is not an option, or a value is out of its range (the message names it).</exception>
    public static TrainingConfiguration Apply(TrainingConfiguration configuration, IReadOnlyDictionary<string, JsonNode> values)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(values);
        string Describe() => string.Join(", ", values.Select(v => $"{v.Key}={v.Value.ToJsonString()}"));
        var root = JsonNode.Parse(configuration.ToJson())!.AsObject();
        var techniques = new List<(RegularizationTechnique Technique, double Strength)>();
        foreach (var (name, value) in values)
        {
            if (TechniqueRegistry.Find(name) is { } technique)
            {
                if (value.GetValueKind() != System.Text.Json.JsonValueKind.Number)
                    throw new ArgumentException($"Setting {name}={value.ToJsonString()}: the strength of {technique.Name} is a number ({technique.Strength}; {technique.Range}).", nameof(values));
                techniques.Add((technique, double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)));
                continue;
            }
            var path = Hyperparameters.GetValueOrDefault(name, name);
            // Checked against the configuration's own names, so a mistake reads as one, not as .NET's
            // "could not be mapped to any .NET member contained in type …".
            if (!TrainingConfiguration.OptionPaths().Contains(path, StringComparer.Ordinal))
                throw new ArgumentException(
                    $"Setting {name}={value.ToJsonString()}: '{name}' is neither a tuning name nor a configuration option" +
                    $"{DidYouMean.Hint(name, Aliases.Keys.Concat(TrainingConfiguration.OptionPaths()))}; the names are {string.Join(", ", Aliases.Keys)}, " +
                    "or any option path as --write-config writes it (training.learningRate, penalty.l2, …)", nameof(values));
            Set(root, path, value);
        }
        try
        {
            var result = TrainingConfiguration.FromJson(root.ToJsonString());
            foreach (var (technique, strength) in techniques) result = technique.Apply(result, strength);
            result.Validate();
            return result;
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            throw new ArgumentException($"Setting {Describe()}: {ErrorMessages.OneLine(e)}", e);
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
