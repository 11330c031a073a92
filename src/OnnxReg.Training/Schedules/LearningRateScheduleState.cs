namespace OnnxReg.Training.Schedules;

/// <summary>The mutable part of a <see cref="LearningRateSchedule"/>, saved in checkpoints so a resumed run lowers the rate when the uninterrupted one would.</summary>
/// <param name="Current">The plateau schedule's current learning rate.</param>
/// <param name="Best">The best monitored value so far (±∞ before the first).</param>
/// <param name="BadEpochs">Epochs since the last improvement.</param>
public sealed record LearningRateScheduleState(double Current, double Best, int BadEpochs);
