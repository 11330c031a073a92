namespace OnnxReg.Training.Techniques;

/// <summary>Gradient clipping by global norm (PyTorch's <c>clip_grad_norm_</c>).</summary>
internal sealed class ClipGradNormTechnique : RegularizationTechnique
{
    public override int Order => 60;
    public override bool TrainTakesStrength => true;
    public override string Name => "clip-grad-norm";
    public override string Summary => "scale the gradients to this global L2 norm at most before each step (PyTorch clip_grad_norm_)";
    public override string Strength => "the norm limit";
    public override string AtZero => "no clipping";
    public override double MaxStrength => 1e6;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--clip-grad-norm", Format(s)];
    protected override string Words => "gradients clipped to norm";
    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) => c with { ClipGradNorm = s == 0 ? null : s };
    public override double StrengthIn(TrainingConfiguration c) => c.ClipGradNorm ?? 0;

    public override IEnumerable<Hooks.IStepHook> CreateHooks(TrainingConfiguration c, TorchSharp.torch.nn.Module model) =>
        c.ClipGradNorm is double limit ? [new Hooks.GradientClipping(model, limit)] : [];
}
