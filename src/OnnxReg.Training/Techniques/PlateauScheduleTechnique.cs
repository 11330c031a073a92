using OnnxReg.Training.Schedules;

namespace OnnxReg.Training.Techniques;

/// <summary>The plateau learning-rate schedule as a technique that is on or off (its settings are the schedule's own
/// options), so a study can compare it and a tuner can choose it by the same name as train.</summary>
internal sealed class PlateauScheduleTechnique : RegularizationTechnique
{
    public override int Order => 170;
    public override string Name => "plateau";
    public override string Summary => "multiply the learning rate by --plateau-factor when val_loss has not improved for --plateau-patience epochs (PyTorch ReduceLROnPlateau)";
    public override string Strength => "1 for the plateau schedule";
    public override string AtZero => "a constant learning rate";
    public override double MaxStrength => 1;
    public override bool WholeNumbers => true;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--lr-schedule", s == 1 ? "plateau" : "constant"];

    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) =>
        c with { Schedule = c.Schedule with { Kind = s == 1 ? LearningRateScheduleKind.ReduceOnPlateau : LearningRateScheduleKind.Constant } };

    public override double StrengthIn(TrainingConfiguration c) => c.Schedule.Kind == LearningRateScheduleKind.ReduceOnPlateau ? 1 : 0;

    public override string? Describe(TrainingConfiguration c) => null; // said with the schedule, after the techniques
}
