using OnnxReg.Cli.Commands;
using OnnxReg.Training.Callbacks;

namespace OnnxReg.Cli.Tests;

public class BatchProgressLineTests : TempFolderTest
{
    [Test]
    public void Line_ShowsTheBarThroughputAndTimeLeft()
    {
        // 18 of 43 batches in 2 s, 2,304 images: 1,152 img/s; 2/18 s a batch × 25 left ≈ 2.8 s.
        var line = BatchProgressLine.Render(new BatchProgress(3, 18, 43, 18, 2304, 2.0, 0.5), epochs: 12);
        Assert.That(line, Is.EqualTo("epoch   3/12 [##########--------------] 18/43  loss 0.5000  1,152 img/s  ETA 3 s"));
    }

    [Test]
    public void ResumedEpoch_EstimatesFromTheBatchesThisProcessRan()
    {
        // Resumed at batch 30: 5 batches in 1 s, 8 left → 1.6 s (not 1 s / 35 × 8).
        var line = BatchProgressLine.Render(new BatchProgress(1, 35, 43, 5, 640, 1.0, 0.25), epochs: 2);
        Assert.That(line, Does.EndWith("640 img/s  ETA 2 s"));
    }

    [Test]
    public void RedirectedOutput_GetsOnlyTheEpochLines()
    {
        var run = CliRun.Of("train", "--train-size", "300", "--epochs", "1", "-o", Path.Combine(Folder, "m.onnx"));
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Not.Contain("\r").And.Not.Contain("img/s"));
    }
}
