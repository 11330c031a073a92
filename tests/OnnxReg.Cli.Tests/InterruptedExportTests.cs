using System.Diagnostics;
using OnnxReg.Runtime;
using OnnxReg.Tests.Shared;

namespace OnnxReg.Cli.Tests;

/// <summary>
/// A model file is never left half-written: `onnxreg train` is killed hard (SIGKILL) while its export's temporary
/// file exists — after it was written, during the ONNX Runtime check that runs before the rename — and the previous
/// model must still be there, byte for byte. A later complete run replaces it and removes the dead writer's temporary.
/// </summary>
[Category("Slow")]
public class InterruptedExportTests : TempFolderTest
{
    private static readonly string[] Train = ["train", "--model", "mlp", "--train-size", "500", "--epochs", "1", "-o", "model.onnx"];

    [Test]
    public void KilledDuringExport_LeavesThePreviousModel_AndTheNextRunReplacesIt()
    {
        var model = Path.Combine(Folder, "model.onnx");
        File.Copy(Path.Combine(RepositoryPaths.Models, "mlp-plain.onnx"), model);
        var previous = File.ReadAllBytes(model);
        var history = Path.Combine(Folder, "model.history.json");
        File.WriteAllText(history, "{\"previous\": true}");

        string? seen = null;
        using (var child = ChildCli.Start(Folder, Train))
        {
            var clock = Stopwatch.StartNew();
            while (seen is null && !child.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
                // The export's temporary holds the model; the empty probes made while checking the outputs at start do not count.
                seen = Directory.EnumerateFiles(Folder, ".model.onnx.*.tmp").FirstOrDefault(f => { try { return new FileInfo(f).Length > 0; } catch (IOException) { return false; } });
            if (seen is not null) child.KillHard();
            child.WaitForExit(TimeSpan.FromSeconds(30));
        }
        Assert.That(seen, Is.Not.Null, "the export's temporary file was never seen, so the kill did not land mid-export");
        Assert.That(File.ReadAllBytes(model), Is.EqualTo(previous), "the killed export left the previous model untouched");
        Assert.That(File.ReadAllText(history), Is.EqualTo("{\"previous\": true}"), "the history is written after the model, so the old model keeps its own history");

        var complete = ChildCli.Run(Folder, Train);
        Assert.That(complete.ExitCode, Is.EqualTo(0), complete.Error);
        Assert.That(File.ReadAllBytes(model), Is.Not.EqualTo(previous));
        using (var classifier = OnnxClassifier.Load(model))
            Assert.That(classifier.Metadata["onnxreg.command"], Is.EqualTo("onnxreg " + string.Join(" ", Train)));
        Assert.That(Directory.EnumerateFiles(Folder, "*.tmp"), Is.Empty, "the killed writer's temporary file was removed");
    }
}
