using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OnnxReg.Data;
using OnnxReg.Data.IO;
using OnnxReg.Training;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Models;
using OnnxReg.Experiments;

namespace OnnxReg.Study;

/// <summary>
/// A generalization study: every model × technique × seed is trained on the same images and split, exported, and
/// measured on the exported file. Loaded from and saved to JSON (the <c>onnxreg study --config</c> file).
/// </summary>
public sealed record StudyDefinition
{
    /// <summary>Data source: <c>embedded</c>, <c>fashion-mnist</c>, or a folder of IDX files or image folders.</summary>
    public string Data { get; init; } = "embedded";

    /// <summary>Image folders only: decode at this size (<c>64</c> or <c>WIDTHxHEIGHT</c>); null to take the first training image's.</summary>
    public string? ImageSize { get; init; }

    /// <summary>Image folders only: <c>gray</c> or <c>rgb</c>; null to infer it from the first training images.</summary>
    public string? Color { get; init; }

    /// <summary>Image folders only: <c>stretch</c>, <c>crop</c> or <c>pad</c> for images of another aspect ratio; null for stretch.</summary>
    public string? Resize { get; init; }

    /// <summary>How image folders are decoded, from <see cref="ImageSize"/>, <see cref="Color"/> and <see cref="Resize"/>.</summary>
    /// <exception cref="ArgumentException">One of them is not a valid value.</exception>
    public ImageFolderOptions ImageOptions() => ImageDecoding.Options(ImageSize, Color, Resize);

    /// <summary>Training images: the first N of the official training set (small on purpose, so that overfitting shows).</summary>
    public int TrainSize { get; init; } = 1000;

    /// <summary>Validation images: the next N training images after the training ones (used by early stopping and the curves).</summary>
    public int ValidationSize { get; init; } = 1000;

    /// <summary>Test images: the first N of the official test set (0: all).</summary>
    public int TestSize { get; init; }

    /// <summary>Seeds; every configuration is trained once per seed and reported as mean ± standard deviation.</summary>
    public int[] Seeds { get; init; } = [1, 2, 3];

    /// <summary>The models, each with its base configuration.</summary>
    public IReadOnlyList<StudyModel> Models { get; init; } = DefaultModels();

    /// <summary>The techniques compared; the first is the reference the others are compared with (normally "baseline").</summary>
    public IReadOnlyList<StudyTechnique> Techniques { get; init; } = DefaultTechniques();

    /// <summary>The presets' default grid: an MLP (25 epochs) and a CNN (12 epochs), Adam, batch 64.</summary>
    public static IReadOnlyList<StudyModel> DefaultModels() =>
    [
        new("mlp", new TrainingConfiguration { Model = new ModelOptions(ModelPreset.Mlp), Training = new TrainingOptions(Epochs: 25, BatchSize: 64) }),
        new("cnn", new TrainingConfiguration { Model = new ModelOptions(ModelPreset.Cnn), Training = new TrainingOptions(Epochs: 12, BatchSize: 64) }),
    ];

    /// <summary>Baseline, each of the five techniques alone, and all of them combined.</summary>
    public static IReadOnlyList<StudyTechnique> DefaultTechniques()
    {
        var earlyStopping = new EarlyStoppingOptions(Monitor: "val_loss", Patience: 4);
        const string augment = "hflip,rotate=10,scale=0.9:1.1,translate=0.08";
        return
        [
            new("baseline"),
            new("l1", L1: 2e-5),
            new("l2", L2: 5e-4),
            new("dropout", Dropout: 0.5),
            new("early-stopping", EarlyStopping: earlyStopping),
            new("augmentation", Augment: augment),
            new("combined", L2: 5e-4, Dropout: 0.5, EarlyStopping: earlyStopping, Augment: augment),
        ];
    }

    /// <summary>The most seeds a study takes.</summary>
    public const int MaxSeeds = 100;

    /// <summary>The most runs (models × techniques × seeds) one study plans.</summary>
    public const int MaxRuns = 10_000;

    /// <summary>Checks sizes, seeds and every model × technique configuration.</summary>
    /// <exception cref="ArgumentException">Something is out of range (the message names it).</exception>
    public void Validate()
    {
        if (TrainSize < 10) throw new ArgumentOutOfRangeException(nameof(TrainSize), TrainSize, $"Train size must be at least 10. Received: TrainSize={TrainSize}.");
        if (ValidationSize < 1) throw new ArgumentOutOfRangeException(nameof(ValidationSize), ValidationSize, $"Validation size must be at least 1. Received: ValidationSize={ValidationSize}.");
        ImageOptions();
        if (TestSize < 0) throw new ArgumentOutOfRangeException(nameof(TestSize), TestSize, $"Test size must be 0 (all) or positive. Received: TestSize={TestSize}.");
        // Bounded before anything is planned from them: a study file of a million seeds made 42 million runs' plans.
        if (Seeds.Length > MaxSeeds)
            throw new ArgumentOutOfRangeException(nameof(Seeds), Seeds.Length, $"A study takes at most {MaxSeeds} seeds; received {Seeds.Length:N0}.");
        if (Seeds.Length == 0 || Seeds.Distinct().Count() != Seeds.Length)
            throw new ArgumentException($"Seeds must be a non-empty list without repeats. Received: [{string.Join(", ", Seeds)}].", nameof(Seeds));
        long runs = (long)Models.Count * Techniques.Count * Seeds.Length;
        if (runs > MaxRuns)
            throw new ArgumentOutOfRangeException(nameof(Seeds), runs, $"The study would train {runs:N0} runs ({Models.Count} models × {Techniques.Count} techniques × {Seeds.Length} seeds); at most {MaxRuns:N0}. Split it into several studies.");
        CheckNames(Models.Select(m => m.Name), "model");
        CheckNames(Techniques.Select(t => t.Name), "technique");
        foreach (var model in Models)
            foreach (var technique in Techniques)
            {
                try { technique.Apply(model.Configuration, Seeds[0]); }
                catch (ArgumentException e) { throw new ArgumentException($"Model '{model.Name}': {e.Message}", e); }
            }
    }

    /// <summary>The definition as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, StudyJson.Options);

    /// <summary>Reads a study file and validates it.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The JSON is malformed, has unknown properties, or a value is out of range.</exception>
    public static StudyDefinition Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Study file '{path}' does not exist.", path);
        StudyDefinition? definition;
        try { definition = JsonSerializer.Deserialize<StudyDefinition>(OnnxReg.Data.IO.UntrustedFile.ReadAllText(path, "study file"), StudyJson.Options); }
        catch (JsonException e) { throw new InvalidDataException($"Study file '{path}' is not valid: {OnnxReg.Data.JsonErrors.Describe(e, typeof(StudyDefinition), StudyJson.Options)}", e); }
        if (definition is null) throw new InvalidDataException($"Study file '{path}' is empty (null).");
        try { definition.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"Study file '{path}': {ErrorMessages.OneLine(e)}", e); }
        return definition;
    }

    /// <summary>Writes the definition to <paramref name="path"/> atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(ToJson()));

    /// <summary>A fingerprint of everything that determines one run's result, to tell whether a finished run can be reused.</summary>
    internal string RunFingerprint(TrainingConfiguration configuration) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{Data}|{TrainSize}|{ValidationSize}|{TestSize}|{StudyRunner.PerturbationSignature}|{configuration.ToCompactJson()}{ImageSignature}")))[..16];

    private string ImageSignature => ImageDecoding.Signature(ImageSize, Color, Resize);

    private static void CheckNames(IEnumerable<string> names, string what)
    {
        var list = names.ToList();
        if (list.Count == 0) throw new ArgumentException($"A study needs at least one {what}.");
        foreach (var name in list)
            if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || name[0] == '.' || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
                throw new ArgumentException($"The {what} name '{name}' must be 1 to 64 letters, digits, '-', '_' or '.', not starting with '.' (it names folders).");
        var repeated = list.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new ArgumentException($"The {what} name '{repeated.Key}' is used twice.");
    }
}
