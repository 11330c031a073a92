using OnnxReg.Training.Schedules;

namespace OnnxReg.Training.Tests.Schedules;

public class LearningRateScheduleTests
{
    [Test]
    public void Cosine_StartsAtTheInitialRate_AndHalvesAtMidRun()
    {
        var schedule = new LearningRateSchedule(new LearningRateScheduleOptions(LearningRateScheduleKind.Cosine, MinLearningRate: 0.1), 1.0, epochs: 10);
        Assert.That(schedule.LearningRateFor(1), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(schedule.LearningRateFor(6), Is.EqualTo(0.55).Within(1e-12));
        Assert.That(schedule.LearningRateFor(10), Is.EqualTo(0.1 + 0.9 * (1 + Math.Cos(Math.PI * 0.9)) / 2).Within(1e-12));
    }

    [Test]
    public void Plateau_ReducesAfterPatienceBadEpochs_DownToTheFloor()
    {
        var schedule = new LearningRateSchedule(new LearningRateScheduleOptions(LearningRateScheduleKind.ReduceOnPlateau, MinLearningRate: 0.015, Factor: 0.5, Patience: 1), 0.1, epochs: 10);
        double[] losses = [1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.99, 1.0];
        var rates = new List<double>();
        for (int e = 0; e < losses.Length; e++)
        {
            rates.Add(schedule.LearningRateFor(e + 1));
            schedule.Observe(new EpochMetrics(e + 1, 1, 0.5, losses[e], 0.5, 0));
        }
        Assert.That(rates, Is.EqualTo(new[] { 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025 }).Within(1e-12));
        Assert.That(schedule.LearningRateFor(9), Is.EqualTo(0.015).Within(1e-12), "floored at the minimum");
    }

    [Test]
    public void Constant_NeverChanges()
    {
        var schedule = new LearningRateSchedule(new LearningRateScheduleOptions(), 0.3, epochs: 5);
        Assert.That(Enumerable.Range(1, 5).Select(schedule.LearningRateFor), Has.All.EqualTo(0.3));
    }
}
