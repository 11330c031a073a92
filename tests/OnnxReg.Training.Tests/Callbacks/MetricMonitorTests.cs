using OnnxReg.Data;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Schedules;

namespace OnnxReg.Training.Tests.Callbacks;

public class MetricMonitorTests
{
    private static EpochMetrics Epoch(double? validationLoss) => new(1, 0.7, 0.5, validationLoss, validationLoss is null ? null : 0.6, 1, 0, 1e-3);

    [TestCase("val_loss", MonitorMode.Auto, true)]
    [TestCase("loss", MonitorMode.Auto, true)]
    [TestCase("val_accuracy", MonitorMode.Auto, false)]
    [TestCase("accuracy", MonitorMode.Auto, false)]
    [TestCase("val_accuracy", MonitorMode.Min, true)]
    [TestCase("val_loss", MonitorMode.Max, false)]
    public void Direction_FollowsTheModeOrTheName(string metric, MonitorMode mode, bool lowerIsBetter) =>
        Assert.That(new MetricMonitor(metric, mode).LowerIsBetter, Is.EqualTo(lowerIsBetter));

    [TestCase(0.39, true)]
    [TestCase(0.40, false)] // 0.5 − 0.1 is not below itself: the change must exceed the threshold
    [TestCase(0.45, false)]
    public void AbsoluteThreshold_NeedsMoreThanMinDelta(double current, bool improved) =>
        Assert.That(new MetricMonitor("val_loss", Threshold: 0.1).IsImprovement(current, 0.5), Is.EqualTo(improved));

    [TestCase(0.899, true)]  // 1.0 · (1 − 0.1) = 0.9
    [TestCase(0.9, false)]
    public void RelativeThreshold_IsAFractionOfTheBest(double current, bool improved) =>
        Assert.That(new MetricMonitor("val_loss", Threshold: 0.1, ThresholdKind: ImprovementThreshold.Relative).IsImprovement(current, 1.0), Is.EqualTo(improved));

    [Test]
    public void AnyFiniteValue_ImprovesOnTheWorst()
    {
        var loss = new MetricMonitor("val_loss", Threshold: 0.1, ThresholdKind: ImprovementThreshold.Relative);
        var accuracy = new MetricMonitor("val_accuracy", Threshold: 0.1);
        Assert.That(loss.IsImprovement(1e300, loss.Worst), Is.True);
        Assert.That(accuracy.IsImprovement(0, accuracy.Worst), Is.True);
    }

    [Test]
    public void MissingMetric_IsAnError_NamingTheWatcher()
    {
        var e = Assert.Throws<OnnxRegException>(() => new MetricMonitor("val_loss").Read(Epoch(null), "Early stopping"));
        Assert.That(e!.Message, Is.EqualTo("Early stopping monitors 'val_loss', which epoch 1 did not report (is there a validation set?)."));
    }

    [Test]
    public void PlateauSchedule_NoLongerSkipsAMissingMetric()
    {
        var schedule = new LearningRateSchedule(new LearningRateScheduleOptions(LearningRateScheduleKind.ReduceOnPlateau), 1e-3, 10);
        var e = Assert.Throws<OnnxRegException>(() => schedule.Observe(Epoch(null)));
        Assert.That(e!.Message, Does.StartWith("The plateau schedule monitors 'val_loss'"));
    }
}
