namespace OnnxReg.Training.Techniques;

/// <summary>Stochastic weight averaging (PyTorch's swa_utils): the weights of the last epochs are averaged, BatchNorm
/// statistics recomputed for the average, and the average is what ships.</summary>
internal sealed class SwaTechnique : RegularizationTechnique
{
    public override int Order => 150;
    public override bool TrainTakesStrength => true;
    public override bool StoresStrength => true;
    public override string Name => "swa";
    public override IReadOnlyList<string> Aliases => ["stochastic-weight-averaging"];
    public override string Summary => "average the weights of the last epochs with equal weight, recompute BatchNorm statistics, and export the average (PyTorch swa_utils)";
    public override string Strength => "the fraction of the epochs averaged, from the end (0.25: the last quarter)";
    public override string AtZero => "no averaging";
    public override double MaxStrength => 1;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--swa", Format(s)];
    protected override string Words => "SWA over the last fraction";
    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) => Store(c, s);
    public override double StrengthIn(TrainingConfiguration c) => Stored(c);

    public override IEnumerable<Hooks.IStepHook> CreateHooks(TrainingConfiguration c, TorchSharp.torch.nn.Module model) =>
        Stored(c) is > 0 and var fraction && model is TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> network
            ? [new Hooks.StochasticWeightAverage(network, c.Training.Epochs, fraction, c.Training.BatchSize)]
            : [];
}
