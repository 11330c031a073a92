using OnnxReg.Training.Callbacks;

namespace OnnxReg.Training.Techniques;

/// <summary>Early stopping (Keras' <c>EarlyStopping</c>): stop when the monitored metric has not improved for
/// <c>patience</c> epochs and restore the best epoch's weights. Its strength is the patience; a configuration that
/// already stops early keeps its monitor and other settings.</summary>
internal sealed class EarlyStoppingTechnique : RegularizationTechnique
{
    public override int Order => 130;
    /// <summary>The most epochs of patience.</summary>
    public const int MaxPatience = 1000;

    public override string Name => "early-stopping";
    public override IReadOnlyList<string> Aliases => ["patience"];
    public override string Summary => "stop when val_loss has not improved for PATIENCE epochs, and restore the best weights";
    public override string Strength => "the patience in epochs";
    public override string AtZero => "stop at the first epoch without improvement";
    public override double MaxStrength => MaxPatience;
    public override bool WholeNumbers => true;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--patience", Format(s)];

    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) =>
        c with { EarlyStopping = (c.EarlyStopping ?? new EarlyStoppingOptions(Monitor: Data.MetricNames.ValLoss)) with { Patience = (int)s } };

    public override double StrengthIn(TrainingConfiguration c) => c.EarlyStopping?.Patience ?? 0;

    public override string? Describe(TrainingConfiguration c) => c.EarlyStopping is { } es
        ? $"early stopping on {es.Monitor} (patience {es.Patience}{(es.RestoreBestWeights ? ", restore best" : "")})" : null;
}
