using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OnnxReg.Data;
using OnnxReg.Runtime.Serving;
using OnnxReg.Tests.Shared;

namespace OnnxReg.Runtime.Tests.Serving;

/// <summary>A Triton model repository written from an exported model: checked against what ONNX Runtime itself reads
/// from the file (names, element types, shapes), not against what OnnxReg thinks it wrote.</summary>
public class TritonRepositoryTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("onnxreg-triton-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static string Field(string config, string pattern) => Regex.Match(config, pattern, RegexOptions.Singleline) is { Success: true } m
        ? m.Groups[1].Value : throw new AssertionException($"no match for {pattern} in:\n{config}");

    private static long[] Dims(string text) => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray();

    [Test]
    public void ReferenceModel_ConfigMatchesTheModelsRealInputOutputAndLabels()
    {
        var model = Path.Combine(RepositoryPaths.Root, "models", "cnn-regularized.onnx");
        var written = TritonRepository.Write(model, _folder, "fashion");

        var folder = Path.Combine(_folder, "fashion");
        Assert.That(written.ModelFolder, Is.EqualTo(folder));
        Assert.That(File.ReadAllBytes(Path.Combine(folder, "1", "model.onnx")), Is.EqualTo(File.ReadAllBytes(model)));
        var config = File.ReadAllText(Path.Combine(folder, "config.pbtxt"));
        Assert.That(config, Is.EqualTo(written.Config));

        using var session = new InferenceSession(model);
        var (inputName, input) = session.InputMetadata.Single();
        var (outputName, output) = session.OutputMetadata.Single();
        Assert.That(Field(config, "^name: \"([^\"]+)\""), Is.EqualTo("fashion"));
        Assert.That(Field(config, "platform: \"([^\"]+)\""), Is.EqualTo("onnxruntime_onnx"));
        Assert.That(Field(config, "max_batch_size: (\\d+)"), Is.EqualTo("64"));
        Assert.That(input.Dimensions[0], Is.EqualTo(-1), "the file's batch dimension is symbolic, so Triton may batch");
        Assert.That(Field(config, "input \\[\\s*\\{\\s*name: \"([^\"]+)\""), Is.EqualTo(inputName));
        Assert.That(Dims(Field(config, "input \\[.*?dims: \\[([^\\]]*)\\]")), Is.EqualTo(input.Dimensions.Skip(1).Select(d => (long)d)));
        Assert.That(Field(config, "output \\[\\s*\\{\\s*name: \"([^\"]+)\""), Is.EqualTo(outputName));
        Assert.That(Dims(Field(config, "output \\[.*?dims: \\[([^\\]]*)\\]")), Is.EqualTo(output.Dimensions.Skip(1).Select(d => (long)d)));
        Assert.That((input.ElementDataType, output.ElementDataType), Is.EqualTo((TensorElementType.Float, TensorElementType.Float)));
        Assert.That(Regex.Matches(config, "data_type: TYPE_FP32"), Has.Count.EqualTo(2));
        Assert.That(config, Does.Contain("label_filename: \"labels.txt\"").And.Contain("dynamic_batching { }"));

        var classNames = JsonSerializer.Deserialize<string[]>(session.ModelMetadata.CustomMetadataMap[ModelMetadataKeys.ClassNames]);
        Assert.That(File.ReadAllLines(Path.Combine(folder, "labels.txt")), Is.EqualTo(classNames));
        Assert.That(Directory.GetFileSystemEntries(_folder), Is.EqualTo(new[] { folder }), "no staging folder is left behind");
    }

    [Test]
    public void FixedBatchModel_IsWrittenWithItsWholeShape_AndNoBatcher()
    {
        var model = TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0], fixedBatch: 4);
        var config = TritonRepository.Write(model, Path.Combine(_folder, "repo"), "linear").Config;
        Assert.That(Field(config, "max_batch_size: (\\d+)"), Is.EqualTo("0"));
        Assert.That(Dims(Field(config, "input \\[.*?dims: \\[([^\\]]*)\\]")), Is.EqualTo(new long[] { 4, 1, 1, 2 }));
        Assert.That(Dims(Field(config, "output \\[.*?dims: \\[([^\\]]*)\\]")), Is.EqualTo(new long[] { 4, 2 }));
        Assert.That(config, Does.Not.Contain("dynamic_batching"));
        Assert.That(File.ReadAllLines(Path.Combine(_folder, "repo", "linear", "labels.txt")), Is.EqualTo(new[] { "left", "right" }));
    }

    [Test]
    public void ExistingModelOfTheSameName_IsNeverReplaced()
    {
        var model = TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0]);
        var repository = Path.Combine(_folder, "repo");
        Directory.CreateDirectory(Path.Combine(repository, "linear"));
        File.WriteAllText(Path.Combine(repository, "linear", "config.pbtxt"), "mine");
        var e = Assert.Throws<IOException>(() => TritonRepository.Write(model, repository, "linear"));
        Assert.That(e!.Message, Does.Contain("already has a model 'linear'"));
        Assert.That(File.ReadAllText(Path.Combine(repository, "linear", "config.pbtxt")), Is.EqualTo("mine"));
        Assert.That(Directory.GetFileSystemEntries(repository), Has.Length.EqualTo(1));
    }

    [TestCase("../escape")]
    [TestCase("")]
    [TestCase(".hidden")]
    [TestCase("a b")]
    [TestCase("nl\n")]
    [TestCase("ok\r\n")]
    public void UnusableModelName_IsRefused_BeforeWritingAnything(string name)
    {
        var model = TestModels.WriteLinear(_folder, [1, 0, 0, 1], [0, 0]);
        var repository = Path.Combine(_folder, "repo");
        var e = Assert.Throws<ArgumentException>(() => TritonRepository.Write(model, repository, name));
        Assert.That(e!.Message, Does.Contain("not a usable Triton model name"));
        Assert.That(Directory.Exists(repository), Is.False);
    }
}
