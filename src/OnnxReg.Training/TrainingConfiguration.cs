using System.Text.Json;
using System.Text.Json.Serialization;
using OnnxReg.Data;
using OnnxReg.Data.IO;
using OnnxReg.Training.Augmentation;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Models;
using OnnxReg.Training.Regularization;
using OnnxReg.Training.Schedules;

namespace OnnxReg.Training;

/// <summary>
/// Everything that defines a training run — the model, the optimizer, and every regularization setting — as one
/// record that is its own configuration file (JSON), recorded in the run's history and the exported model.
/// </summary>
public sealed record TrainingConfiguration
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    /// <summary>The architecture and its dropout / batch-norm layers.</summary>
    public ModelOptions Model { get; init; } = new();

    /// <summary>Optimizer, epochs, batch size, seed, weight decay, label smoothing.</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>L1 / L2 penalties.</summary>
    public WeightPenaltyOptions Penalty { get; init; } = new();

    /// <summary>The max-norm constraint on weight rows and filters, or null for none.</summary>
    public double? MaxNorm { get; init; }

    /// <summary>Scale the gradients so their global L2 norm is at most this before each optimizer step (PyTorch's
    /// <c>clip_grad_norm_</c>), or null for no clipping.</summary>
    public double? ClipGradNorm { get; init; }

    /// <summary>Per-class weights of the training loss, or null for equal weights.</summary>
    public ClassWeights? ClassWeights { get; init; }

    /// <summary>Early stopping, or null to train every epoch.</summary>
    public EarlyStoppingOptions? EarlyStopping { get; init; }

    /// <summary>Data augmentation applied to training batches.</summary>
    public AugmentationOptions Augmentation { get; init; } = new();

    /// <summary>The learning-rate schedule.</summary>
    public LearningRateScheduleOptions Schedule { get; init; } = new();

    /// <summary>The techniques of <see cref="Techniques.TechniqueRegistry"/> that keep their strength here, by name,
    /// rather than in a property of their own (e.g. <c>{"ema": 0.999, "drop-path": 0.1}</c>): a technique is added
    /// without changing this record. Null (and absent from the JSON) when none is set.</summary>
    public IReadOnlyDictionary<string, double>? Techniques { get; init; }

    /// <summary>Checks every part, so a bad value fails before epoch 1.</summary>
    /// <exception cref="ArgumentException">A value is out of range (the message names it).</exception>
    public void Validate()
    {
        Model.Validate();
        Training.Validate();
        Penalty.Validate();
        if (MaxNorm is double maxNorm && (!(maxNorm > 0) || !double.IsFinite(maxNorm)))
            throw new ArgumentOutOfRangeException(nameof(MaxNorm), maxNorm, $"Max-norm must be positive. Received: MaxNorm={maxNorm}.");
        if (ClipGradNorm is double clip && (!(clip > 0) || !double.IsFinite(clip)))
            throw new ArgumentOutOfRangeException(nameof(ClipGradNorm), clip, $"The gradient norm limit must be positive. Received: ClipGradNorm={clip}.");
        ClassWeights?.Validate();
        EarlyStopping?.Validate();
        Augmentation.Validate();
        Schedule.Validate();
        foreach (var (name, strength) in Techniques ?? new Dictionary<string, double>())
        {
            var technique = OnnxReg.Training.Techniques.TechniqueRegistry.Find(name);
            if (technique is not { StoresStrength: true })
                throw new ArgumentException($"'{Data.PrintableText.Escape(name, 40)}' is not a technique kept in 'techniques'" +
                    $"{Data.DidYouMean.Hint(name, OnnxReg.Training.Techniques.TechniqueRegistry.All.Where(t => t.StoresStrength).Select(t => t.Name))}.", nameof(Techniques));
            technique.Apply(this, strength); // its range
        }
    }

    /// <summary>The configuration as indented JSON (enums as names).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The configuration as one line of JSON, for model metadata.</summary>
    public string ToCompactJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions(Json) { WriteIndented = false });

    /// <summary>Parses JSON written by <see cref="ToJson"/> (or by hand) and validates it.</summary>
    /// <exception cref="InvalidDataException">The JSON is malformed, has an unknown property, or a value is out of range.</exception>
    public static TrainingConfiguration FromJson(string json)
    {
        TrainingConfiguration? configuration;
        try
        {
            configuration = JsonSerializer.Deserialize<TrainingConfiguration>(json, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Training configuration is not valid: {JsonErrors.Describe(e, typeof(TrainingConfiguration), Json)}", e);
        }
        if (configuration is null)
            throw new InvalidDataException("Training configuration is empty (null).");
        try
        {
            configuration.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Training configuration is not valid: {ErrorMessages.OneLine(e)}", e);
        }
        return configuration;
    }

    /// <summary>Writes the configuration to <paramref name="path"/> atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(ToJson()));

    /// <summary>Reads a configuration file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid configuration.</exception>
    public static TrainingConfiguration Load(string path)
    {
        try
        {
            return FromJson(UntrustedFile.ReadAllText(path, "configuration file"));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}': {e.Message}", e);
        }
    }

    internal static JsonSerializerOptions JsonOptions => Json;

    private static readonly Lazy<IReadOnlyList<string>> Paths = new(() =>
    {
        Json.MakeReadOnly(populateMissingResolver: true);
        var paths = new List<string>();
        void Walk(Type type, string prefix, int depth)
        {
            foreach (var property in Json.GetTypeInfo(type).Properties)
            {
                var valueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (depth < 3 && valueType != typeof(string) && Json.GetTypeInfo(valueType).Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object)
                    Walk(valueType, prefix + property.Name + ".", depth + 1);
                paths.Add(prefix + property.Name);
            }
        }
        Walk(typeof(TrainingConfiguration), "", 0);
        return paths;
    });

    /// <summary>Every option's path in the configuration file as <c>--write-config</c> writes it (<c>penalty.l2</c>,
    /// <c>training.learningRate</c>, <c>earlyStopping.patience</c>, …), objects included.</summary>
    public static IReadOnlyList<string> OptionPaths() => Paths.Value;
}
