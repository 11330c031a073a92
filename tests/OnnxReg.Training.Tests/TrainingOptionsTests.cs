namespace OnnxReg.Training.Tests;

public class TrainingOptionsTests
{
    [Test]
    public void Defaults_AreValid()
    {
        Assert.DoesNotThrow(() => new TrainingOptions().Validate());
        Assert.That(new TrainingOptions(), Is.EqualTo(new TrainingOptions(10, 128, 1e-3, OptimizerKind.Adam, 0.9, 42, 0, 0)));
    }

    private static IEnumerable<TestCaseData> BadOptions()
    {
        yield return new TestCaseData(new TrainingOptions(Epochs: 0), "Epochs");
        yield return new TestCaseData(new TrainingOptions(BatchSize: 0), "BatchSize");
        yield return new TestCaseData(new TrainingOptions(LearningRate: -1), "LearningRate");
        yield return new TestCaseData(new TrainingOptions(LearningRate: double.NaN), "LearningRate");
        yield return new TestCaseData(new TrainingOptions(Momentum: 1), "Momentum");
        yield return new TestCaseData(new TrainingOptions(Optimizer: (OptimizerKind)7), "Optimizer");
    }

    [TestCaseSource(nameof(BadOptions))]
    public void Trainer_RejectsBadOptions_NamingTheOption(TrainingOptions options, string name)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(options));
        Assert.That(e!.ParamName, Is.EqualTo(name));
        Assert.That(e.Message, Does.Contain(name));
    }
}
