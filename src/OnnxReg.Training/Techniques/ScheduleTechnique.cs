using OnnxReg.Training.Schedules;

namespace OnnxReg.Training.Techniques;

/// <summary>A learning-rate schedule as a technique that is on or off (its settings are the schedule's own options),
/// so a study can compare it and a tuner can choose it by the same name as train. Each schedule names its kind.</summary>
internal abstract class ScheduleTechnique(LearningRateScheduleKind kind) : RegularizationTechnique
{
    public override string Strength => $"1 for the {Name} schedule";
    public override string AtZero => "a constant learning rate";
    public override double MaxStrength => 1;
    public override bool WholeNumbers => true;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--lr-schedule", s == 1 ? Name : "constant"];

    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) =>
        c with { Schedule = c.Schedule with { Kind = s == 1 ? kind : LearningRateScheduleKind.Constant } };

    public override double StrengthIn(TrainingConfiguration c) => c.Schedule.Kind == kind ? 1 : 0;

    public override string? Describe(TrainingConfiguration c) => null; // said with the schedule, after the techniques
}
