using OnnxReg.Training.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Checkpoints;

/// <summary>A checkpoint is streamed to its file: the weights and the optimizer's moments are never gathered into one
/// managed buffer (a 20M-parameter network's checkpoint was built in a growing buffer and copied again, and the
/// optimizer's state was a byte array of its own: about 0.7 GB above the network, every epoch).</summary>
public class CheckpointMemoryTests
{
    [Test]
    public void WritingAndReadingACheckpoint_AllocateFarLessManagedMemoryThanTheCheckpointHolds()
    {
        var folder = Directory.CreateTempSubdirectory("onnxreg-checkpoint-memory-").FullName;
        using var scope = NewDisposeScope();
        random.manual_seed(1);
        var model = nn.Linear(1000, 4000); // 4M parameters: 16 MB of weights, 32 MB of Adam moments
        var optimizer = optim.Adam(model.parameters());
        model.forward(randn(8, 1000)).sum().backward();
        optimizer.step(); // Adam now holds its two moments per weight
        var path = Path.Combine(folder, "m.ckpt");
        var header = new CheckpointHeader
        {
            Configuration = "{}", DataFingerprint = "", Epoch = 1, BatchesDone = 0, BatchCount = 1, Epochs = [], Callbacks = [],
            Schedule = new OnnxReg.Training.Schedules.LearningRateScheduleState(1e-3, 0, 0),
        };
        var randomState = new CheckpointRandomState(RandomState.Capture(), RandomState.Capture(), null); // real generator states: they are checked when read

        TrainingCheckpoint.Write(path, header, randomState, w => optimizer.save_state_dict(w), model.state_dict(), null, null); // warm-up (JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        TrainingCheckpoint.Write(path, header, randomState, w => optimizer.save_state_dict(w), model.state_dict(), null, null);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        long fileBytes = new FileInfo(path).Length;
        long beforeLoad = GC.GetAllocatedBytesForCurrentThread();
        using (var loaded = TrainingCheckpoint.Load(path))
        {
            long loading = GC.GetAllocatedBytesForCurrentThread() - beforeLoad;
            // Only the optimizer's state is read as a byte array (libtorch's loader takes a stream of it): Adam's two
            // moments, two thirds of this file; the weights go straight into their tensors and the file is never read
            // whole (before: the whole file, then the state, then each weight again — about twice the file).
            Assert.That(loading, Is.LessThan(fileBytes * 3 / 4), $"{loading:N0} bytes allocated to load a {fileBytes:N0}-byte checkpoint");
            Assert.That(loaded.ModelWeights["weight"].bytes.ToArray(), Is.EqualTo(model.weight!.bytes.ToArray()), "the weights read back");
        }
        Directory.Delete(folder, recursive: true);
        Assert.That(fileBytes, Is.GreaterThan(48_000_000), "weights and both moments are in the file");
        Assert.That(allocated, Is.LessThan(fileBytes / 8), $"{allocated:N0} bytes allocated for a {fileBytes:N0}-byte checkpoint");
    }
}
