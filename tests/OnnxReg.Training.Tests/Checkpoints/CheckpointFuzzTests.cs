using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using OnnxReg.Data;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Checkpoints;
using OnnxReg.Training.Models;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Checkpoints;

/// <summary>
/// A checkpoint's SHA-256 is no seal: anyone can edit a field and hash the file again. These tests do exactly that —
/// thousands of seeded mutations of header fields, dtypes, ranks, shapes, lengths and blobs, each re-sealed — and
/// require that loading and resuming either work or fail with <see cref="InvalidDataException"/> (or the
/// configuration mismatch of <see cref="CheckpointMismatchException"/>), never crash, and never grow the process by
/// more than a bounded amount of memory.
/// </summary>
public partial class CheckpointFuzzTests
{
    private const long MemoryBoundBytes = 1L << 30;
    private static ImageDataset _images = null!;
    private string _folder = null!;

    private static readonly TrainingConfiguration AdamRun = new()
    {
        // Four hidden units keep each checkpoint under 85 KB, off the large-object heap: thousands of large arrays
        // make the garbage collector run often, and TorchSharp passes implicitly created Scalars to native calls
        // without keeping them alive, so a collection on another thread can free one mid-call (seen as sporadic
        // "toFloat" errors and crashes in later, unrelated tests of this process).
        Model = new ModelOptions(ModelPreset.Mlp, HiddenSizes: [4], DropoutRates: [0.2]),
        Training = new TrainingOptions(Epochs: 3, BatchSize: 40, Seed: 3),
        EarlyStopping = new EarlyStoppingOptions { Monitor = "loss", Patience = 5 },
    };

    private static readonly TrainingConfiguration SgdRun = AdamRun with
    {
        Training = new TrainingOptions(Epochs: 3, BatchSize: 40, Seed: 3, Optimizer: OptimizerKind.Sgd, Momentum: 0.9),
        Augmentation = Training.Augmentation.AugmentationOptions.Parse("hflip"),
    };

    [OneTimeSetUp]
    public static void LoadData() => _images = DatasetSource.Load(DatasetSource.Embedded).Train.Take(120);

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("onnxreg-ckfuzz-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    // Trains the tiny run, cancelled after `cancelAfterBatches` training batches (mid-epoch) or to the end.
    private string WriteCheckpoint(TrainingConfiguration configuration, int cancelAfterBatches)
    {
        var path = Path.Combine(_folder, $"base-{configuration.Training.Optimizer}-{cancelAfterBatches}.ckpt");
        try { Fit(configuration, path, ResumeMode.Never, cancelAfterBatches); }
        catch (TrainingInterruptedException) { }
        return path;
    }

    private static TrainingHistory Fit(TrainingConfiguration configuration, string path, ResumeMode resume, int cancelAfterBatches = int.MaxValue)
    {
        var normalization = Normalization.Estimate(_images.Pixels);
        using var network = ModelPresets.Create(configuration.Model, 1, 28, 28, 10, configuration.Training.Seed);
        using var counting = new CancellingModule(network, cancelAfterBatches);
        using var data = TensorDataset.From(_images, normalization);
        return new Trainer(configuration).Fit(counting, data, checkpoint: new CheckpointOptions(path, resume), cancellation: counting.Token);
    }

    [Test]
    public void HostileDtypes_AreRefusedBeforeLibtorchAllocates([Values(-100, -1, 100000, 12, 27)] int dtype)
    {
        var path = WriteCheckpoint(AdamRun, cancelAfterBatches: 4);
        var layout = CheckpointLayout.Parse(File.ReadAllBytes(path));
        File.WriteAllBytes(path, layout.WithInt32(layout.Tensors[0].DtypeOffset, dtype).Resealed());
        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(path).Dispose());
        Assert.That(e!.Message, Does.Contain($"dtype code {dtype}").And.Contain("cannot be read"));
    }

    [Test]
    public void RandomStateOfTheWrongSize_IsRefused_NotAborted()
    {
        var path = WriteCheckpoint(AdamRun, cancelAfterBatches: 4);
        var layout = CheckpointLayout.Parse(File.ReadAllBytes(path));
        var blob = layout.Blobs[0];
        File.WriteAllBytes(path, layout.WithBlob(0, new byte[blob.Length - 8]).Resealed());
        var e = Assert.Throws<InvalidDataException>(() => Fit(AdamRun, path, ResumeMode.Required));
        Assert.That(e!.Message, Does.Contain("global random state has"));
    }

    [Test]
    public void RandomStateWithAnInvalidTwisterPosition_IsRefused_NotAborted()
    {
        var path = WriteCheckpoint(AdamRun, cancelAfterBatches: 4);
        var layout = CheckpointLayout.Parse(File.ReadAllBytes(path));
        var blob = layout.Blobs[1].ToArray();
        BitConverter.GetBytes(0).CopyTo(blob, 8); // left = 0: libtorch would throw across the native boundary
        File.WriteAllBytes(path, layout.WithBlob(1, blob).Resealed());
        var e = Assert.Throws<InvalidDataException>(() => Fit(AdamRun, path, ResumeMode.Required));
        Assert.That(e!.Message, Does.Contain("shuffling random state is not a valid Mersenne-twister state"));
    }

    [TestCase("epoch", int.MinValue, "epoch -2147483648")]
    [TestCase("batchesDone", -1, "batch -1")]
    [TestCase("batchCount", 0, "batch")]
    [TestCase("bestWeightsEpoch", 1000000, "best epoch")]
    [TestCase("correct", -5, "correct count")]
    public void HeaderFieldsOutOfRange_AreRefused(string field, long value, string named)
    {
        var path = WriteCheckpoint(AdamRun, cancelAfterBatches: 4);
        var layout = CheckpointLayout.Parse(File.ReadAllBytes(path));
        var header = JsonNode.Parse(layout.Header)!.AsObject();
        header[field] = value;
        File.WriteAllBytes(path, layout.WithHeader(header.ToJsonString()).Resealed());
        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(path).Dispose());
        Assert.That(e!.Message, Does.Contain("out of range").And.Contain(named));
    }

    [Test]
    public void EarlyStoppingStateOutOfRange_IsRefusedOnResume_NamingIt()
    {
        var path = WriteCheckpoint(AdamRun, cancelAfterBatches: 4);
        var layout = CheckpointLayout.Parse(File.ReadAllBytes(path));
        var header = JsonNode.Parse(layout.Header)!.AsObject();
        header["callbacks"]!["early_stopping"]!["wait"] = 1000000;
        File.WriteAllBytes(path, layout.WithHeader(header.ToJsonString()).Resealed());
        var e = Assert.Throws<InvalidDataException>(() => Fit(AdamRun, path, ResumeMode.Required));
        Assert.That(e!.Message, Does.Contain("patience count 1000000 is out of range"));
    }

    [Test]
    public void ConfigurationOverTheParameterBudget_IsRefusedOnLoad()
    {
        var path = WriteCheckpoint(AdamRun, cancelAfterBatches: 4);
        var layout = CheckpointLayout.Parse(File.ReadAllBytes(path));
        var header = JsonNode.Parse(layout.Header)!.AsObject();
        var configuration = JsonNode.Parse(header["configuration"]!.GetValue<string>())!.AsObject();
        configuration["model"]!["hiddenSizes"] = new JsonArray(100_000_000);
        header["configuration"] = configuration.ToJsonString();
        File.WriteAllBytes(path, layout.WithHeader(header.ToJsonString()).Resealed());
        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(path).Dispose());
        Assert.That(e!.Message, Does.Contain("parameters; at most 50,000,000"));
    }

    [Test]
    public void GarbageOptimizerState_IsRefusedByTheLayoutCheck()
    {
        var path = WriteCheckpoint(SgdRun, cancelAfterBatches: 4);
        var layout = CheckpointLayout.Parse(File.ReadAllBytes(path));
        var garbage = new byte[layout.Blobs[3].Length];
        new Random(1).NextBytes(garbage);
        File.WriteAllBytes(path, layout.WithBlob(3, garbage).Resealed());
        var e = Assert.Throws<CheckpointMismatchException>(() => Fit(SgdRun, path, ResumeMode.Required));
        Assert.That(e!.Message, Does.Contain("optimizer state is not valid"));
    }

    // Offsets of the first hyperparameter after the two learning rates: a length byte and the name, one byte each for
    // the group and state counts, then two doubles.
    [TestCase(OptimizerKind.Adam, 1 + 4 + 2 + 16, 1e300)]
    [TestCase(OptimizerKind.Adam, 1 + 4 + 2 + 16, 1.0)]
    [TestCase(OptimizerKind.Sgd, 1 + 3 + 2 + 16, -3.0)]
    public void OptimizerHyperparameterEdited_IsRefused_BeforeLibtorchUsesIt(OptimizerKind optimizer, int offset, double value)
    {
        var configuration = AdamRun with { Training = AdamRun.Training with { Optimizer = optimizer } };
        var path = WriteCheckpoint(configuration, cancelAfterBatches: 4);
        var layout = CheckpointLayout.Parse(File.ReadAllBytes(path));
        var blob = layout.Blobs[3].ToArray();
        BitConverter.GetBytes(value).CopyTo(blob, offset);
        File.WriteAllBytes(path, layout.WithBlob(3, blob).Resealed());
        var e = Assert.Throws<CheckpointMismatchException>(() => Fit(configuration, path, ResumeMode.Required));
        Assert.That(e!.Message, Does.Contain($"hyperparameter 2 is {value}, but the configuration gives"));
    }

    [Test]
    public void LearningRateAboveTheConfiguredOne_IsRefused()
    {
        var path = WriteCheckpoint(AdamRun, cancelAfterBatches: 4);
        var layout = CheckpointLayout.Parse(File.ReadAllBytes(path));
        var header = JsonNode.Parse(layout.Header)!.AsObject();
        header["schedule"]!["current"] = 1e300;
        File.WriteAllBytes(path, layout.WithHeader(header.ToJsonString()).Resealed());
        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(path).Dispose());
        Assert.That(e!.Message, Does.Contain("learning-rate schedule state (rate 1E+300"));
    }

    [Test]
    public void ValidCheckpoints_PassTheOptimizerLayoutCheck_ForEveryOptimizer([Values] OptimizerKind optimizer)
    {
        var configuration = AdamRun with { Training = AdamRun.Training with { Optimizer = optimizer, Momentum = optimizer == OptimizerKind.Sgd ? 0.9 : 0 } };
        var path = WriteCheckpoint(configuration, cancelAfterBatches: 5);
        var history = Fit(configuration, path, ResumeMode.Required);
        Assert.That(history.Epochs, Has.Count.EqualTo(3));
    }

    /// <summary>Counts training batches and cancels after the chosen one (the checkpoint is then written mid-epoch).</summary>
    private sealed class CancellingModule : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> inner;
        private readonly int _cancelAfter;
        private readonly CancellationTokenSource _cancellation = new();
        private int _batches;

        public CancellingModule(nn.Module<Tensor, Tensor> network, int cancelAfter) : base("probe")
        {
            inner = network;
            _cancelAfter = cancelAfter;
            RegisterComponents();
        }

        public CancellationToken Token => _cancellation.Token;

        public override Tensor forward(Tensor input)
        {
            if (training && ++_batches == _cancelAfter) _cancellation.Cancel();
            return inner.forward(input);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _cancellation.Dispose();
            base.Dispose(disposing);
        }
    }
}
