using OnnxReg.Training.Schedules;

namespace OnnxReg.Training.Techniques;

/// <summary>The cosine learning-rate schedule, on or off.</summary>
internal sealed class CosineScheduleTechnique() : ScheduleTechnique(LearningRateScheduleKind.Cosine)
{
    public override int Order => 160;
    public override string Name => "cosine";
    public override string Summary => "anneal the learning rate along a cosine to --min-lr over the epochs (PyTorch CosineAnnealingLR)";
}
