using TorchSharp;
using OnnxReg.Training.Callbacks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Callbacks;

/// <summary>Early stopping fed scripted metric sequences, with no training: it stops at exactly the expected epoch.</summary>
public class EarlyStoppingTests
{
    private static EpochMetrics Epoch(int epoch, double value, string monitor = "val_loss") => monitor switch
    {
        "val_accuracy" => new EpochMetrics(epoch, 1, 0.5, 1, value, 0),
        _ => new EpochMetrics(epoch, 1, 0.5, value, 0.5, 0),
    };

    // Feeds the values one epoch at a time; returns the epoch it stopped at (null if never) and why.
    private static (int? Epoch, StopReason? Reason, EarlyStopping Callback) Run(EarlyStoppingOptions options, params double[] values)
    {
        var callback = new EarlyStopping(options);
        using var model = nn.Linear(1, 1);
        callback.OnTrainBegin(model);
        for (int i = 0; i < values.Length; i++)
            if (callback.OnEpochEnd(model, Epoch(i + 1, values[i], options.Monitor)) is { } request)
                return (i + 1, request.Reason, callback);
        return (null, null, callback);
    }

    [Test]
    public void Stops_AfterPatienceEpochsWithoutImprovement()
    {
        var (epoch, reason, callback) = Run(new EarlyStoppingOptions(Patience: 2), 1.0, 0.9, 0.95, 0.96, 0.97);
        Assert.That((epoch, reason), Is.EqualTo(((int?)4, (StopReason?)StopReason.NoImprovement)));
        Assert.That(callback.BestEpoch, Is.EqualTo(2));
    }

    [Test]
    public void PatienceZero_KeepsGoingWhileImproving_AndStopsAtTheFirstEpochThatDoesNot()
    {
        Assert.That(Run(new EarlyStoppingOptions(Patience: 0), 1.0, 0.9, 0.8, 0.7).Epoch, Is.Null);
        Assert.That(Run(new EarlyStoppingOptions(Patience: 0), 1.0, 0.9, 0.8, 0.85, 0.1).Epoch, Is.EqualTo(4));
    }

    [Test]
    public void ImprovementSmallerThanMinDelta_DoesNotCount()
    {
        var (epoch, _, callback) = Run(new EarlyStoppingOptions(Patience: 1, MinDelta: 0.05), 1.0, 0.97, 0.5);
        Assert.That(epoch, Is.EqualTo(2));
        Assert.That(callback.BestEpoch, Is.EqualTo(1));
        Assert.That(Run(new EarlyStoppingOptions(Patience: 1, MinDelta: 0.05), 1.0, 0.9, 0.8).Epoch, Is.Null);
    }

    [Test]
    public void Baseline_NeverBeaten_StopsAfterPatienceEpochs_EvenWhileTheBestImproves()
    {
        var (epoch, reason, callback) = Run(new EarlyStoppingOptions(Patience: 2, Baseline: 0.5), 0.9, 0.8, 0.7, 0.6);
        Assert.That(epoch, Is.EqualTo(2));
        Assert.That(reason, Is.EqualTo(StopReason.NoImprovement));
        Assert.That(callback.BestEpoch, Is.EqualTo(2), "the best value is still tracked");
    }

    [Test]
    public void Baseline_Beaten_ResetsPatienceAsUsual()
    {
        Assert.That(Run(new EarlyStoppingOptions(Patience: 2, Baseline: 0.5), 0.9, 0.4, 0.45, 0.3, 0.35, 0.36).Epoch, Is.EqualTo(6));
    }

    [Test]
    public void StartFromEpoch_IgnoresWarmUpEpochs_EvenNonFiniteOnes()
    {
        var (epoch, _, callback) = Run(new EarlyStoppingOptions(Patience: 1, StartFromEpoch: 2), double.NaN, 0.1, 1.0, 1.1, 1.2);
        Assert.That(epoch, Is.EqualTo(4));
        Assert.That(callback.BestEpoch, Is.EqualTo(3), "warm-up epochs are never best, even with a lower value");
    }

    [Test]
    public void NonFiniteMetric_StopsAtOnce_UnlessDisabled()
    {
        Assert.That(Run(new EarlyStoppingOptions(Patience: 10), 1.0, double.NaN, 0.5).Reason, Is.EqualTo(StopReason.NonFiniteMetric));
        Assert.That(Run(new EarlyStoppingOptions(Patience: 10), 1.0, double.PositiveInfinity).Epoch, Is.EqualTo(2));
        Assert.That(Run(new EarlyStoppingOptions(Patience: 10, StopOnNonFinite: false), 1.0, double.NaN, 0.5).Epoch, Is.Null);
    }

    [Test]
    public void DivergenceThreshold_StopsAtOnce()
    {
        var (epoch, reason, _) = Run(new EarlyStoppingOptions(Patience: 10, DivergenceThreshold: 10), 1.0, 0.5, 20);
        Assert.That((epoch, reason), Is.EqualTo(((int?)3, (StopReason?)StopReason.Diverged)));
    }

    [Test]
    public void AccuracyMetric_IsMaximized_InAutoMode()
    {
        var options = new EarlyStoppingOptions(Monitor: "val_accuracy", Patience: 1);
        Assert.That(options.ResolvedMode, Is.EqualTo(MonitorMode.Max));
        var (epoch, _, callback) = Run(options, 0.5, 0.6, 0.55);
        Assert.That(epoch, Is.EqualTo(3));
        Assert.That(callback.BestValue, Is.EqualTo(0.6));
    }

    [Test]
    public void RestoresTheExactBestWeights_KeptByValue()
    {
        using var model = nn.Linear(2, 1);
        using var callback = new EarlyStopping(new EarlyStoppingOptions(Patience: 5));
        callback.OnTrainBegin(model);
        double[] losses = [0.9, 0.3, 0.6, 0.7];
        for (int e = 0; e < losses.Length; e++)
        {
            using (no_grad()) model.weight!.fill_(e + 1); // the "training" of epoch e+1 sets every weight to e+1
            callback.OnEpochEnd(model, Epoch(e + 1, losses[e]));
        }
        callback.OnTrainEnd(model);
        Assert.That(callback.RestoredEpoch, Is.EqualTo(2));
        Assert.That(model.weight!.data<float>().ToArray(), Is.EqualTo(new[] { 2f, 2f }));
    }

    [Test]
    public void NoRestore_WhenDisabled()
    {
        using var model = nn.Linear(2, 1);
        using var callback = new EarlyStopping(new EarlyStoppingOptions(Patience: 5, RestoreBestWeights: false));
        callback.OnTrainBegin(model);
        callback.OnEpochEnd(model, Epoch(1, 0.1));
        using (no_grad()) model.weight!.fill_(9);
        callback.OnEpochEnd(model, Epoch(2, 0.5));
        callback.OnTrainEnd(model);
        Assert.That(callback.RestoredEpoch, Is.Null);
        Assert.That(model.weight!.data<float>().ToArray(), Is.EqualTo(new[] { 9f, 9f }));
    }

    [TestCase(-1, 0.0, "Patience=-1")]
    [TestCase(0, -0.1, "MinDelta=-0.1")]
    public void BadOptions_AreRejected_NamingThem(int patience, double minDelta, string expected)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(new EarlyStoppingOptions(Patience: patience, MinDelta: minDelta)));
        Assert.That(e!.Message, Does.Contain(expected));
    }

    [Test]
    public void UnknownMetric_IsRejected_ListingKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => new EarlyStopping(new EarlyStoppingOptions(Monitor: "val_f1")));
        Assert.That(e!.Message, Does.Contain("'val_f1'").And.Contain("val_accuracy"));
    }

    [Test]
    public void StopRequest_SaysWhichMetricAndHowLong_InWords()
    {
        var callback = new EarlyStopping(new EarlyStoppingOptions(Patience: 2, Baseline: 0.5));
        using var model = nn.Linear(1, 1);
        callback.OnTrainBegin(model);
        StopRequest? request = null;
        foreach (var (epoch, loss) in new[] { (1, 0.9), (2, 0.8), (3, 0.7) })
            request ??= callback.OnEpochEnd(model, Epoch(epoch, loss));
        Assert.That(request, Is.EqualTo(new StopRequest(StopReason.NoImprovement, "early stopping at epoch 2: val_loss did not improve on the baseline 0.5 for 2 epoch(s)")));
    }

    [Test]
    public void SavedState_RestoredIntoANewCallback_StopsAtTheSameEpochAsAnUninterruptedRun()
    {
        double[] losses = [0.9, 0.5, 0.6, 0.55, 0.7, 0.8];
        var options = new EarlyStoppingOptions(Patience: 3, MinDelta: 0.01);
        var (uninterrupted, _, _) = Run(options, losses);
        Assert.That(uninterrupted, Is.EqualTo(5), "0.5 at epoch 2, then three epochs that do not beat 0.49");

        using var model = nn.Linear(1, 1);
        using var first = new EarlyStopping(options);
        first.OnTrainBegin(model);
        for (int e = 1; e <= 3; e++) Assert.That(first.OnEpochEnd(model, Epoch(e, losses[e - 1])), Is.Null);
        var state = first.SaveState();
        Assert.That(state.ToJsonString(), Is.EqualTo("{\"bestValue\":0.5,\"bestEpoch\":2,\"wait\":1}"));

        using var resumed = new EarlyStopping(options);
        resumed.OnTrainBegin(model);
        resumed.RestoreState(state, epochsDone: 3);
        Assert.That(resumed.OnEpochEnd(model, Epoch(4, losses[3])), Is.Null);
        Assert.That(resumed.OnEpochEnd(model, Epoch(5, losses[4]))?.Reason, Is.EqualTo(StopReason.NoImprovement));
    }

    [TestCase("{\"bestValue\":0.5,\"bestEpoch\":9,\"wait\":0}", "best epoch 9 is out of range (1 to 3)")]
    [TestCase("{\"bestValue\":0.5,\"bestEpoch\":2,\"wait\":1000000}", "patience count 1000000 is out of range (0 to 3)")]
    [TestCase("{\"bestValue\":0.5,\"bestEpoch\":null,\"wait\":0}", "best value and best epoch do not go together")]
    [TestCase("{\"bestValue\":\"x\",\"bestEpoch\":1,\"wait\":0}", "state is malformed")]
    [TestCase("{\"bestValue\":0.5,\"bestEpoch\":1}", "has no patience count")]
    public void RestoredStateOutOfRange_IsRefused_AndLeavesTheCallbackAsItWas(string json, string expected)
    {
        using var callback = new EarlyStopping(new EarlyStoppingOptions());
        var e = Assert.Throws<InvalidDataException>(() => callback.RestoreState(System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject(), epochsDone: 3));
        Assert.That(e!.Message, Does.Contain(expected));
        Assert.That((callback.BestValue, callback.BestEpoch, callback.Wait), Is.EqualTo((double.PositiveInfinity, (int?)null, 0)));
    }
}
