using OnnxReg.Training.Schedules;

namespace OnnxReg.Training.Techniques;

/// <summary>The reduce-on-plateau learning-rate schedule, on or off.</summary>
internal sealed class PlateauScheduleTechnique() : ScheduleTechnique(LearningRateScheduleKind.ReduceOnPlateau)
{
    public override int Order => 170;
    public override string Name => "plateau";
    public override string Summary => "multiply the learning rate by --plateau-factor when val_loss has not improved for --plateau-patience epochs (PyTorch ReduceLROnPlateau)";
}
