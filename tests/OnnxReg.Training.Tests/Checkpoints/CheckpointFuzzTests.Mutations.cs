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

/// <summary>The random half of the checkpoint fuzzer: valid checkpoints mutated field by field, resealed, and loaded or resumed.</summary>
public partial class CheckpointFuzzTests
{
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
                string[] fields = ["epoch", "batchesDone", "batchCount", "correct", "bestWeightsEpoch", "wait", "augmentationBatches", "lossSum", "schedule"];
                var field = fields[random.Next(fields.Length)];
                if (field == "schedule") header["schedule"]!["current"] = HostileDoubles[random.Next(HostileDoubles.Length)];
                else if (field == "wait" && header["callbacks"]?["early_stopping"] is JsonObject earlyStopping) earlyStopping["wait"] = Hostile();
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
}
