using OnnxReg.Data;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using OnnxReg.Training;
using OnnxReg.Training.Models;
using OnnxReg.Experiments;

namespace OnnxReg.Tuning;

/// <summary>How trials are chosen.</summary>
public enum SearchStrategy
{
    /// <summary>Every combination of each dimension's grid values, each trained for the full budget.</summary>
    Grid,

    /// <summary><see cref="TuningDefinition.Trials"/> configurations drawn at random, each trained for the full budget.</summary>
    Random,

    /// <summary>
    /// Successive halving (the rungs of Hyperband/ASHA, synchronous): <see cref="TuningDefinition.Trials"/> random
    /// configurations trained for a few epochs, the best 1/η continue with η times the epochs, until the full budget.
    /// Each rung waits for all its trials (also those another shard is training) before it promotes.
    /// </summary>
    Halving,
}

/// <summary>The metric trials are ranked by, measured with ONNX Runtime on the exported file's validation split.</summary>
public enum TuningObjective
{
    /// <summary>Validation accuracy, higher is better.</summary>
    ValAccuracy,

    /// <summary>Validation cross-entropy, lower is better.</summary>
    ValLoss,
}

/// <summary>Everything a tuning run is: the data, the configuration it starts from, the space, how it searches, and
/// how the winner is confirmed. Its defaults are <c>onnxreg tune</c>'s: L2, dropout and augmentation strength for the
/// MLP on the embedded data, by successive halving.</summary>
public sealed record TuningDefinition
{
    /// <summary>Data source (<c>embedded</c>, <c>fashion-mnist</c>, a folder).</summary>
    public string Data { get; init; } = "embedded";

    /// <summary>Image folders only: decode at this size (<c>64</c> or <c>WIDTHxHEIGHT</c>); null to infer it from the folder.</summary>
    public string? ImageSize { get; init; }

    /// <summary>Image folders only: <c>gray</c> or <c>rgb</c>; null to infer it from the folder.</summary>
    public string? Color { get; init; }

    /// <summary>Image folders only: <c>stretch</c>, <c>crop</c> or <c>pad</c> for images of another aspect ratio; null for stretch.</summary>
    public string? Resize { get; init; }

    /// <summary>How image folders are decoded, as a study decodes them (<see cref="ImageDecoding"/>).</summary>
    /// <exception cref="ArgumentException">A setting is not valid.</exception>
    public ImageFolderOptions ImageOptions() => ImageDecoding.Options(ImageSize, Color, Resize);

    /// <summary>Training images: the first N of the training set.</summary>
    public int TrainSize { get; init; } = 5000;

    /// <summary>Validation images: the next N — the only data selection looks at.</summary>
    public int ValidationSize { get; init; } = 1000;

    /// <summary>Test images for the one final measurement (0: all).</summary>
    public int TestSize { get; init; }

    /// <summary>The configuration every trial starts from (and the untuned baseline is); its epochs are the full budget.</summary>
    public TrainingConfiguration Base { get; init; } = new() { Model = new ModelOptions(ModelPreset.Mlp), Training = new TrainingOptions(Epochs: 24, BatchSize: 64) };

    /// <summary>The dimensions searched.</summary>
    public IReadOnlyList<SearchDimension> Space { get; init; } =
    [
        SearchDimension.Parse("l2=log:1e-6:1e-2"),
        SearchDimension.Parse("dropout=0:0.6"),
        SearchDimension.Parse("augmentation=0:2"),
    ];

    /// <summary>How trials are chosen.</summary>
    public SearchStrategy Strategy { get; init; } = SearchStrategy.Halving;

    /// <summary>Random and halving: how many configurations are drawn.</summary>
    public int Trials { get; init; } = 27;

    /// <summary>Grid: values per continuous dimension.</summary>
    public int GridPoints { get; init; } = 3;

    /// <summary>Halving: the factor η by which each rung cuts the trials and multiplies the epochs.</summary>
    public int Eta { get; init; } = 3;

    /// <summary>Halving: how many rungs (the last trains for the full budget).</summary>
    public int Rungs { get; init; } = 3;

    /// <summary>How many of the best configurations are rerun with every seed before one is chosen.</summary>
    public int Finalists { get; init; } = 3;

    /// <summary>The seeds finalists and the baseline are run with (the search itself uses the first).</summary>
    public int[] Seeds { get; init; } = [1, 2, 3];

    /// <summary>The ranking metric.</summary>
    public TuningObjective Objective { get; init; } = TuningObjective.ValAccuracy;

    /// <summary>Seeds the draws of random and halving search.</summary>
    public int SearchSeed { get; init; } = 1;

    /// <summary>Checks every setting, and that every dimension can be applied to the base configuration.</summary>
    /// <exception cref="ArgumentException">Something is out of range or not an option (the message names it).</exception>
    public void Validate()
    {
        if (TrainSize < 10) throw new ArgumentOutOfRangeException(nameof(TrainSize), TrainSize, "Train size must be at least 10.");
        if (ValidationSize < 1) throw new ArgumentOutOfRangeException(nameof(ValidationSize), ValidationSize, "Tuning selects on validation: it needs at least 1 validation image.");
        if (TestSize < 0) throw new ArgumentOutOfRangeException(nameof(TestSize), TestSize, "Test size must be 0 (all) or positive.");
        if (Space.Count == 0) throw new ArgumentException("The search space is empty; give at least one dimension (e.g. l2=log:1e-6:1e-2).", nameof(Space));
        var repeated = Space.GroupBy(d => d.Name).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new ArgumentException($"The dimension {repeated.Key} is given twice.", nameof(Space));
        if (Trials is < 1 or > 10_000) throw new ArgumentOutOfRangeException(nameof(Trials), Trials, "Trials must be 1 to 10,000.");
        if (GridPoints is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(GridPoints), GridPoints, "Grid points must be 1 to 100.");
        if (Eta is < 2 or > 10) throw new ArgumentOutOfRangeException(nameof(Eta), Eta, "η (eta) must be 2 to 10.");
        if (Rungs is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(Rungs), Rungs, "Rungs must be 1 to 8.");
        if (Finalists < 1) throw new ArgumentOutOfRangeException(nameof(Finalists), Finalists, "At least one finalist is rerun with the seeds.");
        if (Seeds.Length == 0 || Seeds.Distinct().Count() != Seeds.Length)
            throw new ArgumentException($"Seeds must be a non-empty list without repeats. Received: [{string.Join(", ", Seeds)}].", nameof(Seeds));
        if (Strategy == SearchStrategy.Grid && GridSize() > 10_000)
            throw new ArgumentException($"The grid has {GridSize():N0} combinations; at most 10,000. Use fewer grid points or random search.", nameof(GridPoints));
        Base.Validate();
        ImageOptions(); // a bad --image-size, --color or --resize fails now
        // Every dimension must be an option: apply its extremes once now, not after an hour of trials.
        foreach (var dimension in Space)
            foreach (var value in dimension.Grid(2))
                ConfigurationPaths.Apply(Base, new Dictionary<string, JsonNode> { [dimension.Name] = value });
    }

    /// <summary>The epochs of rung <paramref name="rung"/> (0-based): the full budget divided by η once per rung still to come.</summary>
    public int RungEpochs(int rung)
    {
        int rungs = Strategy == SearchStrategy.Halving ? Rungs : 1;
        return Math.Max(1, (int)Math.Round(Base.Training.Epochs / Math.Pow(Eta, rungs - 1 - rung)));
    }

    private long GridSize() => Space.Aggregate(1L, (n, d) => n * d.Grid(GridPoints).Count);

    /// <summary>Identifies the data and sizes a trial ran on, with its configuration: a finished trial with the same
    /// fingerprint is reused.</summary>
    internal string Fingerprint(TrainingConfiguration configuration) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{Data}|{TrainSize}|{ValidationSize}|{configuration.ToCompactJson()}{ImageDecoding.Signature(ImageSize, Color, Resize)}"))))[..16];
}
