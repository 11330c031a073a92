using OnnxReg.Data;
using OnnxReg.Training;
using OnnxReg.Training.Augmentation;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Techniques;

namespace OnnxReg.Study;

/// <summary>
/// One column of the study grid: the regularization settings laid over a model's base configuration. Unset
/// members leave the base as it is, so "baseline" is a technique with nothing set.
/// </summary>
/// <param name="Name">Short name used in folders, tables and plots (e.g. <c>l2</c>, <c>combined</c>).</param>
/// <param name="L1">L1 penalty strength.</param>
/// <param name="L2">L2 penalty strength.</param>
/// <param name="Dropout">Dropout rate at every dense dropout position (a model file's dropout layers; a model file
/// without any is an error, not a silent baseline).</param>
/// <param name="SpatialDropout">Dropout2d rate after each convolution block (CNN/ResNet) or at each dropout2d layer of a
/// model file; ignored for networks without any (the MLP).</param>
/// <param name="EarlyStopping">Early-stopping options.</param>
/// <param name="Augment">Augmentations in the compact syntax (e.g. <c>hflip,rotate=10</c>).</param>
/// <param name="MaxNorm">Max-norm constraint.</param>
/// <param name="LabelSmoothing">Label smoothing epsilon.</param>
/// <param name="WeightDecay">AdamW decoupled weight decay (switches the optimizer to AdamW).</param>
/// <param name="BatchNorm">Adds batch normalization.</param>
public sealed record StudyTechnique(
    string Name,
    double? L1 = null,
    double? L2 = null,
    double? Dropout = null,
    double? SpatialDropout = null,
    EarlyStoppingOptions? EarlyStopping = null,
    string? Augment = null,
    double? MaxNorm = null,
    double? LabelSmoothing = null,
    double? WeightDecay = null,
    bool? BatchNorm = null)
{
    /// <summary>The technique of <see cref="TechniqueRegistry"/> this one sweeps, or null for a technique on its own.</summary>
    public string? Sweep { get; init; }

    /// <summary>Its strength in the sweep (e.g. the L2 factor or the dropout rate), or null.</summary>
    public double? Strength { get; init; }

    /// <summary>The configuration for one run: <paramref name="baseConfiguration"/> with these settings applied and the seed set.
    /// Each strength is applied by its technique in <see cref="TechniqueRegistry"/>, so it means what it means in train and tune.</summary>
    /// <exception cref="ArgumentException">A setting is out of range or the augmentation syntax is wrong.</exception>
    public TrainingConfiguration Apply(TrainingConfiguration baseConfiguration, int seed)
    {
        ArgumentNullException.ThrowIfNull(baseConfiguration);
        var c = baseConfiguration with { Training = baseConfiguration.Training with { Seed = seed } };
        try
        {
            foreach (var (name, strength) in Strengths())
                c = TechniqueRegistry.Get(name).Apply(c, strength);
            if (Augment is not null) c = c with { Augmentation = AugmentationOptions.Parse(Augment) };
            if (EarlyStopping is not null) c = c with { EarlyStopping = EarlyStopping };
            c.Validate();
        }
        catch (FormatException e) { throw new ArgumentException($"Technique '{Name}': {e.Message}", nameof(Augment), e); }
        catch (ArgumentException e) { throw new ArgumentException($"Technique '{Name}': {ErrorMessages.OneLine(e)}", e); }
        return c;
    }

    // The technique's settings by their registry names; a sweep's own strength last.
    private IEnumerable<(string Name, double Strength)> Strengths()
    {
        if (L1 is double l1) yield return ("l1", l1);
        if (L2 is double l2) yield return ("l2", l2);
        if (Dropout is double dropout) yield return ("dropout", dropout);
        if (SpatialDropout is double spatial) yield return ("spatial-dropout", spatial);
        if (MaxNorm is double maxNorm) yield return ("max-norm", maxNorm);
        if (LabelSmoothing is double smoothing) yield return ("label-smoothing", smoothing);
        if (WeightDecay is double decay) yield return ("weight-decay", decay);
        if (BatchNorm is bool batchNorm) yield return ("batch-norm", batchNorm ? 1 : 0);
        if (Sweep is { } sweep && Strength is double strength) yield return (sweep, strength);
    }
}
