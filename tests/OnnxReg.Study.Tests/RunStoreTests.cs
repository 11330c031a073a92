using OnnxReg.Experiments;

namespace OnnxReg.Study.Tests;

/// <summary>The run store both experiments keep finished runs in: reused only with the same fingerprint and a model
/// beside the result; anything else is retrained.</summary>
public class RunStoreTests
{
    private sealed record Result(string Fingerprint, double Accuracy);

    [Test]
    public void AFinishedRun_IsReusedOnlyWithItsFingerprintAndItsModel()
    {
        var folder = Directory.CreateTempSubdirectory("onnxreg-runstore-").FullName;
        try
        {
            var store = new RunStore<Result>("run.json", r => r.Fingerprint);
            store.Save(folder, new Result("abc", 0.8));
            Assert.That(store.TryReuse(folder, "abc"), Is.Null, "no model.onnx yet: the run did not finish");
            File.WriteAllBytes(Path.Combine(folder, RunStore<Result>.ModelFileName), [1]);
            Assert.That(store.TryReuse(folder, "abc"), Is.EqualTo(new Result("abc", 0.8)));
            Assert.That(store.TryReuse(folder, "other"), Is.Null, "another configuration or data: retrained");
            File.WriteAllText(Path.Combine(folder, "run.json"), "{ not json");
            Assert.That(store.TryReuse(folder, "abc"), Is.Null, "an unreadable result is retrained");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
