using OnnxReg.Data;
using OnnxReg.Training;
using OnnxReg.Training.Augmentation;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Regularization;

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
    /// <summary>The parameter this technique sweeps (<see cref="StudySweep.Parameters"/>), or null for a technique on its own.</summary>
    public string? Sweep { get; init; }

    /// <summary>Its strength in the sweep (e.g. the L2 factor or the dropout rate), or null.</summary>
    public double? Strength { get; init; }

    /// <summary>The configuration for one run: <paramref name="baseConfiguration"/> with these settings applied and the seed set.</summary>
    /// <exception cref="ArgumentException">A setting is out of range or the augmentation syntax is wrong.</exception>
    public TrainingConfiguration Apply(TrainingConfiguration baseConfiguration, int seed)
    {
        var c = baseConfiguration;
        var penalty = c.Penalty with { L1 = L1 ?? c.Penalty.L1, L2 = L2 ?? c.Penalty.L2 };
        var model = c.Model with
        {
            DropoutRates = Dropout is double d ? [d] : c.Model.DropoutRates,
            SpatialDropoutRates = SpatialDropout is double s && c.Model.SpatialDropoutPositions > 0 ? [s] : c.Model.SpatialDropoutRates,
            BatchNorm = BatchNorm ?? c.Model.BatchNorm,
        };
        var training = c.Training with
        {
            Seed = seed,
            LabelSmoothing = LabelSmoothing ?? c.Training.LabelSmoothing,
            WeightDecay = WeightDecay ?? c.Training.WeightDecay,
            Optimizer = WeightDecay is > 0 ? OptimizerKind.AdamW : c.Training.Optimizer,
        };
        AugmentationOptions augmentation;
        try { augmentation = Augment is null ? c.Augmentation : AugmentationOptions.Parse(Augment); }
        catch (FormatException e) { throw new ArgumentException($"Technique '{Name}': {e.Message}", nameof(Augment), e); }
        var configuration = c with
        {
            Model = model, Training = training, Penalty = penalty, Augmentation = augmentation,
            EarlyStopping = EarlyStopping ?? c.EarlyStopping, MaxNorm = MaxNorm ?? c.MaxNorm,
        };
        try { configuration.Validate(); }
        catch (ArgumentException e) { throw new ArgumentException($"Technique '{Name}': {ErrorMessages.OneLine(e)}", e); }
        return configuration;
    }
}
