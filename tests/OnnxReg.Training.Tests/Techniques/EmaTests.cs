using OnnxReg.Training.Hooks;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Techniques;

/// <summary>The weights' EMA averages with TensorFlow's warm-up, holds the average in the model between epochs and
/// the raw weights while an epoch trains, and refuses a state that does not fit.</summary>
public class EmaTests
{
    [Test]
    public void TheAverage_FollowsTheFormula_AndIsSwappedInBetweenEpochs()
    {
        using var scope = NewDisposeScope();
        var model = nn.Linear(1, 1, hasBias: false);
        using (no_grad()) model.weight!.fill_(0);
        using var ema = new WeightAverage(model, decay: 0.5);
        double expected = 0;
        foreach (var (value, t) in new[] { (1.0, 0L), (2.0, 1L), (4.0, 2L) })
        {
            using (no_grad()) model.weight!.fill_(value);
            ema.AfterOptimizerStep();
            double d = Math.Min(0.5, (1.0 + t) / (10.0 + t));
            expected = d * expected + (1 - d) * value;
        }
        ema.OnEpochEnd(1);
        Assert.That(model.weight!.item<float>(), Is.EqualTo(expected).Within(1e-6), "the model holds the average after the epoch");
        ema.OnEpochStart(2);
        Assert.That(model.weight!.item<float>(), Is.EqualTo(4f), "and the raw weights while the next one trains");
        Assert.That(ema.DecayAfter(0), Is.EqualTo(0.1).Within(1e-12), "warm-up: (1 + 0)/(10 + 0)");
        Assert.That(ema.DecayAfter(1000), Is.EqualTo(0.5));

        var state = ema.SaveTensors().ToDictionary(p => p.Key, p => p.Value.clone());
        using var other = new WeightAverage(nn.Linear(2, 1, hasBias: false), 0.5);
        Assert.That(() => other.RestoreTensors(state), Throws.TypeOf<InvalidDataException>().With.Message.Contains("another shape"));
    }
}
