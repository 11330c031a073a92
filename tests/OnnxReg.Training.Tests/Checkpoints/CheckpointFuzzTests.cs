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
public class CheckpointFuzzTests
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
    [TestCase("wait", 1000000, "patience count")]
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

    /// <summary>The fuzzer: seeded mutations of every field, re-sealed; counts are printed for the README.</summary>
    [Test]
    public void ResealedMutations_NeverCrashOrRunAwayInMemory()
    {
        var bases = new[] { WriteCheckpoint(AdamRun, 4), WriteCheckpoint(SgdRun, 5), WriteCheckpoint(AdamRun, int.MaxValue) }
            .Select(p => (Path: p, Layout: CheckpointLayout.Parse(File.ReadAllBytes(p)), Configuration: p.Contains("Sgd") ? SgdRun : AdamRun)).ToArray();
        var random = new Random(20261125);
        var target = Path.Combine(_folder, "mutant.ckpt");
        using var process = Process.GetCurrentProcess();
        long startMemory = process.WorkingSet64;
        int loaded = 0, rejected = 0, resumed = 0, resumeRejected = 0;
        const int Mutations = 3000;
        for (int i = 0; i < Mutations; i++)
        {
            var (_, layout, configuration) = bases[i % bases.Length];
            File.WriteAllBytes(target, Mutate(layout, random).Resealed());
            try
            {
                using var checkpoint = TrainingCheckpoint.Load(target);
                loaded++;
            }
            catch (InvalidDataException)
            {
                rejected++;
                continue;
            }
            if (resumed + resumeRejected < 300) // resuming trains: a sample of the files that load
            {
                try { Fit(configuration, target, ResumeMode.Required); resumed++; }
                catch (Exception e) when (e is InvalidDataException or CheckpointMismatchException) { resumeRejected++; }
            }
            process.Refresh();
            Assert.That(process.WorkingSet64 - startMemory, Is.LessThan(MemoryBoundBytes), $"mutation {i}: memory grew past the bound");
        }
        GC.Collect(); // leave no pile of finalizable tensors for the next tests
        GC.WaitForPendingFinalizers();
        TestContext.Out.WriteLine($"checkpoint fuzz: {Mutations} re-sealed mutations, {loaded} loaded, {rejected} rejected; resumed {resumed}, refused on resume {resumeRejected}");
        Assert.That(loaded + rejected, Is.EqualTo(Mutations));
        Assert.That(rejected, Is.GreaterThan(Mutations / 2), "most mutations damage something the reader must notice");
    }

    private static readonly double[] HostileDoubles = [1e300, -1e300, 1e39, -1, 0, 1, 2, 0.5, double.Epsilon];

    private static readonly long[] HostileNumbers = [int.MinValue, -100, -2, -1, 0, 1, 7, 255, 65536, int.MaxValue, 1L << 40, long.MaxValue];

    private static CheckpointLayout Mutate(CheckpointLayout layout, Random random)
    {
        long Hostile() => HostileNumbers[random.Next(HostileNumbers.Length)];
        switch (random.Next(9))
        {
            case 0:
            {
                var header = JsonNode.Parse(layout.Header)!.AsObject();
                string[] fields = ["epoch", "batchesDone", "batchCount", "correct", "bestEpoch", "wait", "augmentationBatches", "lossSum", "schedule"];
                var field = fields[random.Next(fields.Length)];
                if (field == "schedule") header["schedule"]!["current"] = HostileDoubles[random.Next(HostileDoubles.Length)];
                else header[field] = Hostile();
                return layout.WithHeader(header.ToJsonString());
            }
            case 1:
            {
                var header = JsonNode.Parse(layout.Header)!.AsObject();
                if (header["data"] is JsonObject data)
                {
                    string[] fields = ["channels", "height", "width"];
                    data[fields[random.Next(fields.Length)]] = (int)Math.Clamp(Hostile(), int.MinValue, int.MaxValue);
                }
                return layout.WithHeader(header.ToJsonString());
            }
            case 2:
            {
                var tensor = layout.Tensors[random.Next(layout.Tensors.Count)];
                return layout.WithInt32(tensor.DtypeOffset, random.Next(2) == 0 ? (int)Math.Clamp(Hostile(), int.MinValue, int.MaxValue) : random.Next(-2, 32));
            }
            case 3:
            {
                var tensor = layout.Tensors[random.Next(layout.Tensors.Count)];
                return layout.WithInt32(tensor.RankOffset, (int)Math.Clamp(Hostile(), int.MinValue, int.MaxValue));
            }
            case 4:
            {
                var tensor = layout.Tensors[random.Next(layout.Tensors.Count)];
                if (tensor.Rank == 0) return layout.WithInt32(tensor.LengthOffset, (int)Math.Clamp(Hostile(), int.MinValue, int.MaxValue));
                return layout.WithInt64(tensor.DimsOffset + 8 * random.Next(tensor.Rank), Hostile());
            }
            case 5:
            {
                var tensor = layout.Tensors[random.Next(layout.Tensors.Count)];
                return layout.WithInt32(tensor.LengthOffset, (int)Math.Clamp(Hostile(), int.MinValue, int.MaxValue));
            }
            case 6:
                return layout.WithInt32(layout.BlobOffsets[random.Next(4)], (int)Math.Clamp(Hostile(), int.MinValue, int.MaxValue));
            case 7:
            {
                int index = random.Next(4);
                var blob = layout.Blobs[index].ToArray();
                if (blob.Length == 0) return layout;
                if (index == 3 && random.Next(2) == 0)
                {
                    // A hyperparameter (the doubles after the name and counts) set to a value libtorch cannot use.
                    int nameLength = blob[0];
                    int at = 1 + nameLength + 2 + 8 * random.Next(6);
                    if (at + 8 <= blob.Length) BitConverter.GetBytes(HostileDoubles[random.Next(HostileDoubles.Length)]).CopyTo(blob, at);
                    return layout.WithBlob(index, blob);
                }
                for (int k = random.Next(1, 4); k > 0; k--) blob[random.Next(blob.Length)] = (byte)random.Next(256);
                return layout.WithBlob(index, blob);
            }
            default:
            {
                var bytes = layout.Body.ToArray();
                if (random.Next(4) == 0) return new CheckpointLayout(bytes[..random.Next(22, bytes.Length)]);
                for (int k = random.Next(1, 8); k > 0; k--) bytes[random.Next(22, bytes.Length)] = (byte)random.Next(256);
                return new CheckpointLayout(bytes);
            }
        }
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

/// <summary>A checkpoint file taken apart into its fields, so a test can change one and seal the file again.</summary>
internal sealed class CheckpointLayout
{
    private const int MagicAndVersion = 18 + 4;

    public CheckpointLayout(byte[] body) => Body = body; // a body that may not parse (for raw mutations)

    private CheckpointLayout(byte[] body, string header, int headerEnd, int[] blobOffsets, List<TensorField> tensors)
    {
        Body = body;
        Header = header;
        HeaderEnd = headerEnd;
        BlobOffsets = blobOffsets;
        Tensors = tensors;
    }

    public byte[] Body { get; }
    public string Header { get; } = "";
    private int HeaderEnd { get; }
    public int[] BlobOffsets { get; } = [];
    public List<TensorField> Tensors { get; } = [];
    public IReadOnlyList<byte[]> Blobs => BlobOffsets.Select(o => { int n = BitConverter.ToInt32(Body, o); return n < 0 ? [] : Body[(o + 4)..(o + 4 + n)]; }).ToList();

    public sealed record TensorField(int DtypeOffset, int RankOffset, int Rank, int DimsOffset, int LengthOffset);

    /// <summary>Parses a file written by the trainer (its last 32 bytes are the hash).</summary>
    public static CheckpointLayout Parse(byte[] file)
    {
        var body = file[..^32];
        using var reader = new BinaryReader(new MemoryStream(body), Encoding.UTF8);
        reader.BaseStream.Position = MagicAndVersion;
        var header = reader.ReadString();
        int headerEnd = (int)reader.BaseStream.Position;
        var blobs = new int[4];
        for (int b = 0; b < 4; b++)
        {
            blobs[b] = (int)reader.BaseStream.Position;
            int length = reader.ReadInt32();
            if (length > 0) reader.BaseStream.Position += length;
        }
        var tensors = new List<TensorField>();
        for (int g = 0; g < 3; g++)
        {
            int count = reader.ReadInt32();
            for (int t = 0; t < count; t++)
            {
                reader.ReadString();
                int dtype = (int)reader.BaseStream.Position;
                reader.ReadInt32();
                int rankOffset = (int)reader.BaseStream.Position;
                int rank = reader.ReadInt32();
                int dims = (int)reader.BaseStream.Position;
                reader.BaseStream.Position += 8L * rank;
                int lengthOffset = (int)reader.BaseStream.Position;
                int length = reader.ReadInt32();
                reader.BaseStream.Position += length;
                tensors.Add(new TensorField(dtype, rankOffset, rank, dims, lengthOffset));
            }
        }
        return new CheckpointLayout(body, header, headerEnd, blobs, tensors);
    }

    public CheckpointLayout WithInt32(int offset, int value) => Patched(offset, BitConverter.GetBytes(value));

    public CheckpointLayout WithInt64(int offset, long value) => Patched(offset, BitConverter.GetBytes(value));

    public CheckpointLayout WithHeader(string json)
    {
        using var stream = new MemoryStream();
        stream.Write(Body, 0, MagicAndVersion);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) writer.Write(json);
        stream.Write(Body, HeaderEnd, Body.Length - HeaderEnd);
        return Parse([.. stream.ToArray(), .. new byte[32]]);
    }

    public CheckpointLayout WithBlob(int index, byte[] blob)
    {
        int offset = BlobOffsets[index];
        int oldLength = Math.Max(0, BitConverter.ToInt32(Body, offset));
        byte[] body = [.. Body[..offset], .. BitConverter.GetBytes(blob.Length), .. blob, .. Body[(offset + 4 + oldLength)..]];
        return Parse([.. body, .. new byte[32]]);
    }

    /// <summary>The file: the body followed by its SHA-256, as the trainer seals it.</summary>
    public byte[] Resealed() => [.. Body, .. SHA256.HashData(Body)];

    private CheckpointLayout Patched(int offset, byte[] value)
    {
        var body = Body.ToArray();
        value.CopyTo(body, offset);
        return new CheckpointLayout(body, Header, HeaderEnd, BlobOffsets, Tensors);
    }
}
