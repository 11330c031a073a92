using OnnxReg.Training.Callbacks;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Callbacks;

public class CsvHistoryLogTests
{
    [Test]
    public void ResumedRun_StartsWithTheCheckpointsEpochs_ThenAppendsEachNewOne_WithEmptyCellsForWhatWasNotMeasured()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("onnxreg-csv-").FullName, "history.csv");
        using var model = nn.Linear(1, 1);
        using var log = new CsvHistoryLog(path, [new EpochMetrics(1, 0.5, 0.75, 0.25, 0.875, 1.5, 0, 0.001)]);
        log.OnTrainBegin(model);
        Assert.That(File.ReadAllLines(path), Is.EqualTo(new[] { CsvHistoryLog.Header, "1,0.5,0.75,0.25,0.875,0,0.001,1.5" }));
        log.OnEpochEnd(model, new EpochMetrics(2, 0.125, 1, null, null, 2, 0.0625, 0.0005));
        Assert.That(File.ReadAllLines(path)[2], Is.EqualTo("2,0.125,1,,,0.0625,0.0005,2"), "flushed as the epoch ends");
        log.OnTrainEnd(model);
        Assert.That(File.ReadAllLines(path), Has.Length.EqualTo(3));
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }
}
