using OnnxReg.Modules;

namespace OnnxReg.Training.Techniques;

/// <summary>Stochastic depth / DropPath (Huang et al.; timm): each residual block's branch is dropped per sample with
/// probability p while training, so the network trains as an ensemble of shallower ones; nothing of it is exported.</summary>
internal sealed class DropPathTechnique : RegularizationTechnique
{
    public override int Order => 95;
    public override bool TrainTakesStrength => true;
    public override bool StoresStrength => true;
    public override string Name => "drop-path";
    public override IReadOnlyList<string> Aliases => ["stochastic-depth"];
    public override string Summary => "drop each residual block's branch per sample with probability p while training (timm DropPath; resnet and model files with residual blocks; nothing at export)";
    public override string Strength => "the drop probability p of every residual block";
    public override string AtZero => "no drop path";
    public override double MaxStrength => 1;
    public override bool MaxInclusive => false;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--drop-path", Format(s)];
    protected override string Words => "drop path";
    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) => Store(c, s);
    public override double StrengthIn(TrainingConfiguration c) => Stored(c);

    // A network without residual blocks has no branch to drop: said before training rather than trained without it.
    public override void ConfigureModel(TrainingConfiguration c, TorchSharp.torch.nn.Module model)
    {
        double rate = Stored(c);
        var blocks = model.modules().OfType<ResidualBlock>().ToList();
        if (rate > 0 && blocks.Count == 0)
            throw new ArgumentException($"drop-path {Format(rate)} needs residual blocks: use --model resnet or a model file with residual layers.", nameof(c));
        foreach (var block in blocks) block.DropPathRate = rate;
    }
}
