using OnnxReg.Tests.Shared;

namespace OnnxReg.Cli.Tests;

/// <summary><c>onnxreg export --triton DIR</c>: a model repository from an exported file, or straight from a checkpoint.</summary>
public class TritonExportTests : TempFolderTest
{
    private static readonly string Reference = Path.Combine(RepositoryPaths.Root, "models", "mlp-plain.onnx");

    [Test]
    public void ExportedModel_WithTriton_IsCopiedIntoARepository_UnderItsFileName()
    {
        var repository = Path.Combine(Folder, "repo");
        var run = CliRun.Of("export", Reference, "--triton", repository);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Contain("Triton model 'mlp-plain' written to").And.Contain("tritonserver --model-repository="));
        Assert.That(File.ReadAllBytes(Path.Combine(repository, "mlp-plain", "1", "model.onnx")), Is.EqualTo(File.ReadAllBytes(Reference)));
        Assert.That(File.ReadAllText(Path.Combine(repository, "mlp-plain", "config.pbtxt")), Does.Contain("name: \"mlp-plain\"").And.Contain("dims: [ 10 ]"));
    }

    [Test]
    public void ExportedModel_WithoutTriton_SaysWhatExportTakes() =>
        Assert.That(CliRun.Of("export", Reference).AssertOneLineError(),
            Does.Contain("is an ONNX model, not a checkpoint").And.Contain("add --triton DIR").And.Not.Contain("--output must differ"));

    [Test]
    public void ExportedModel_WithTritonAndOutput_RefusesTheOutput() =>
        Assert.That(CliRun.Of("export", Reference, "--triton", Folder, "-o", Path.Combine(Folder, "x.onnx")).AssertOneLineError(),
            Does.Contain("--output does not apply"));

    [Test]
    public void BadTritonName_IsOneLine_NamingTheOption() =>
        Assert.That(CliRun.Of("export", Reference, "--triton", Folder, "--triton-name", "../up").AssertOneLineError(),
            Does.Contain("--triton-name").And.Contain("not a usable Triton model name"));

    [Test]
    public void Checkpoint_WithTriton_ExportsVerifies_ThenPackagesTheNewFile()
    {
        var model = Path.Combine(Folder, "m.onnx");
        Assert.That(CliRun.Of("train", "--train-size", "300", "--epochs", "1", "-o", model).ExitCode, Is.EqualTo(0));
        var repository = Path.Combine(Folder, "repo");
        var run = CliRun.Of("export", Path.Combine(Folder, "m.ckpt"), "-o", Path.Combine(Folder, "again.onnx"), "--fixed-batch", "8", "--triton", repository, "--triton-name", "fixed");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        var config = File.ReadAllText(Path.Combine(repository, "fixed", "config.pbtxt"));
        Assert.That(config, Does.Contain("max_batch_size: 0").And.Contain("dims: [ 8, 1, 28, 28 ]").And.Not.Contain("dynamic_batching"));
        Assert.That(File.ReadAllBytes(Path.Combine(repository, "fixed", "1", "model.onnx")), Is.EqualTo(File.ReadAllBytes(Path.Combine(Folder, "again.onnx"))));

        // predict feeds a fixed-batch model a padded batch instead of refusing a batch of one.
        var sample = Path.Combine(RepositoryPaths.Root, "tools", "OnnxReg.Example", "samples", "ankle-boot.png");
        var predict = CliRun.Of("predict", Path.Combine(Folder, "again.onnx"), sample);
        Assert.That(predict.ExitCode, Is.EqualTo(0), predict.Error);
        Assert.That(predict.Output, Does.StartWith($"{sample}: "));
    }
}
