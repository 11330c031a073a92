namespace OnnxReg.Runtime.Tests;

/// <summary>Metrics on hand-made predictions equal the values computed by hand.</summary>
public class ClassificationMetricsTests
{
    // Four predictions over 3 classes:
    //   p = [0.7, 0.2, 0.1] label 0 → predicted 0 (conf 0.7) ✓
    //   p = [0.1, 0.8, 0.1] label 1 → predicted 1 (conf 0.8) ✓
    //   p = [0.6, 0.3, 0.1] label 2 → predicted 0 (conf 0.6) ✗
    //   p = [0.2, 0.2, 0.6] label 2 → predicted 2 (conf 0.6) ✓
    private static EvaluationResult Compute(int bins = 10)
    {
        var metrics = new ClassificationMetrics(3, bins);
        metrics.Add([0.7f, 0.2f, 0.1f], 0);
        metrics.Add([0.1f, 0.8f, 0.1f], 1);
        metrics.Add([0.6f, 0.3f, 0.1f], 2);
        metrics.Add([0.2f, 0.2f, 0.6f], 2);
        return metrics.Result();
    }

    [Test]
    public void AccuracyAndLoss()
    {
        var result = Compute();
        Assert.That(result.Count, Is.EqualTo(4));
        Assert.That(result.Accuracy, Is.EqualTo(0.75));
        double expectedLoss = -(Math.Log(0.7) + Math.Log(0.8) + Math.Log(0.1) + Math.Log(0.6)) / 4;
        Assert.That(result.MeanLoss, Is.EqualTo(expectedLoss).Within(1e-6));
    }

    [Test]
    public void ConfusionMatrix_PrecisionAndRecall()
    {
        var result = Compute();
        Assert.That(result.ConfusionMatrix, Is.EqualTo(new[] { new[] { 1, 0, 0 }, new[] { 0, 1, 0 }, new[] { 1, 0, 1 } }));
        Assert.That(result.Precision, Is.EqualTo(new[] { 0.5, 1.0, 1.0 }));
        Assert.That(result.Recall, Is.EqualTo(new[] { 1.0, 1.0, 0.5 }));
    }

    [Test]
    public void ExpectedCalibrationError_OverEqualWidthBins()
    {
        // 10 bins: confidences 0.6, 0.6 fall in bin [0.6, 0.7) with accuracy 1/2 and mean confidence 0.6;
        // 0.7 in [0.7, 0.8) (accuracy 1, confidence 0.7); 0.8 in [0.8, 0.9) (accuracy 1, confidence 0.8).
        double expected = 2.0 / 4 * Math.Abs(0.5 - 0.6) + 1.0 / 4 * Math.Abs(1 - 0.7) + 1.0 / 4 * Math.Abs(1 - 0.8);
        Assert.That(Compute(bins: 10).ExpectedCalibrationError, Is.EqualTo(expected).Within(1e-6));
    }

    [Test]
    public void PerfectlyCalibratedConfidentPredictions_HaveZeroEce()
    {
        var metrics = new ClassificationMetrics(2);
        metrics.Add([1f, 0f], 0);
        metrics.Add([0f, 1f], 1);
        Assert.That(metrics.Result().ExpectedCalibrationError, Is.EqualTo(0).Within(1e-12));
    }

    [Test]
    public void AddLogits_UsesTheExactLogSoftmaxLoss()
    {
        var metrics = new ClassificationMetrics(2);
        var scratch = new float[2];
        metrics.AddLogits([0f, (float)Math.Log(3)], 1, scratch);
        var result = metrics.Result();
        Assert.That(result.MeanLoss, Is.EqualTo(Math.Log(4.0 / 3.0)).Within(1e-7));
        Assert.That(result.Accuracy, Is.EqualTo(1));
    }

    [Test]
    public void NothingAdded_IsAnError()
    {
        Assert.Throws<InvalidOperationException>(() => new ClassificationMetrics(3).Result());
    }
}
