using System.Diagnostics;
using OnnxReg.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Optimizers;

public class InPlaceOptimizersTests
{
    private static Sequential Mlp(int seed)
    {
        manual_seed(seed);
        return nn.Sequential(nn.Flatten(), nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 4));
    }

    // Trains two copies of one network on the same batches, one with TorchSharp's optimizer and one with ours,
    // changing the learning rate half-way as the schedules do; returns both final parameter lists.
    private static (float[][] Theirs, float[][] Ours) TrainBoth(Func<IEnumerable<Parameter>, OptimizerHelper> theirs, OptimizerKind kind,
        double lr, double momentum = 0.9, double weightDecay = 0)
    {
        using var reference = Mlp(7);
        using var candidate = Mlp(7);
        using var theirOptimizer = theirs(reference.parameters());
        using var ourOptimizer = InPlaceOptimizers.Create(kind, candidate.parameters(), lr, momentum, weightDecay);
        using var generator = new Generator(3);
        for (int step = 0; step < 25; step++)
        {
            using var scope = NewDisposeScope();
            if (step == 12)
                foreach (var optimizer in new[] { theirOptimizer, ourOptimizer })
                    foreach (var group in optimizer.ParamGroups) group.LearningRate = lr / 3;
            var x = randn([8, 20], generator: generator);
            var y = randint(0, 4, [8], generator: generator);
            foreach (var (model, optimizer) in new[] { (reference, theirOptimizer), (candidate, ourOptimizer) })
            {
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.forward(x), y).backward();
                optimizer.step();
            }
        }
        return (Values(reference), Values(candidate));
    }

    private static float[][] Values(Sequential model) => model.parameters().Select(p => p.data<float>().ToArray()).ToArray();

    [Test]
    public void Adam_GivesTorchSharpsParametersBitForBit()
    {
        var (theirs, ours) = TrainBoth(p => optim.Adam(p, lr: 0.01), OptimizerKind.Adam, 0.01);
        Assert.That(ours, Is.EqualTo(theirs));
        Assert.That(ours[0], Is.Not.EqualTo(Values(Mlp(7))[0]), "the parameters moved");
    }

    [Test]
    public void AdamW_GivesTorchSharpsParametersBitForBit_WithDecoupledDecay()
    {
        var (theirs, ours) = TrainBoth(p => optim.AdamW(p, lr: 0.01, weight_decay: 0.05), OptimizerKind.AdamW, 0.01, weightDecay: 0.05);
        Assert.That(ours, Is.EqualTo(theirs));
    }

    [TestCase(0.9)]
    [TestCase(0.0)]
    public void Sgd_GivesTorchSharpsParametersBitForBit(double momentum)
    {
        var (theirs, ours) = TrainBoth(p => optim.SGD(p, 0.05, momentum: momentum), OptimizerKind.Sgd, 0.05, momentum);
        Assert.That(ours, Is.EqualTo(theirs));
    }

    [TestCase(OptimizerKind.Adam)]
    [TestCase(OptimizerKind.AdamW)]
    [TestCase(OptimizerKind.Sgd)]
    public void SavedState_LoadsIntoTorchSharpsOwnOptimizer_AndBack(OptimizerKind kind)
    {
        // The saved state names the class, so ours keep TorchSharp's names: checkpoints stay interchangeable.
        using var model = Mlp(1);
        using var ours = InPlaceOptimizers.Create(kind, model.parameters(), 0.01, 0.9, 0.01);
        using (var scope = NewDisposeScope())
        {
            ours.zero_grad();
            nn.functional.cross_entropy(model.forward(randn(4, 20)), tensor(new long[] { 0, 1, 2, 3 })).backward();
            ours.step();
        }
        using OptimizerHelper theirs = kind switch
        {
            OptimizerKind.Adam => optim.Adam(model.parameters(), lr: 0.01),
            OptimizerKind.AdamW => optim.AdamW(model.parameters(), lr: 0.01, weight_decay: 0.01),
            _ => optim.SGD(model.parameters(), 0.01, momentum: 0.9),
        };
        var saved = Save(ours);
        Assert.That(() => Load(theirs, saved), Throws.Nothing);
        Assert.That(Save(theirs), Is.EqualTo(saved));
        Assert.That(() => Load(ours, Save(theirs)), Throws.Nothing);
    }

    [Test]
    public void AdamSteps_DoNotGrowTheProcess_OnAParameterSizedLayer()
    {
        // TorchSharp 0.107's own Adam grew this process by about one 784 × 512 weight (1.6 MB) per step once glibc kept
        // freed buffers (LibTorchHeap): 300 steps ≈ 480 MB. The in-place step allocates nothing per step.
        LibTorchHeap.Configure();
        manual_seed(1);
        using var model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10));
        using var optimizer = InPlaceOptimizers.Create(OptimizerKind.Adam, model.parameters(), 1e-3, 0, 0);
        using var x = randn(64, 784);
        using var y = randint(0, 10, [64]);
        void Steps(int count)
        {
            for (int i = 0; i < count; i++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.forward(x), y).backward();
                optimizer.step();
            }
        }
        Steps(20);
        long before = Process.GetCurrentProcess().WorkingSet64;
        Steps(300);
        long grown = Process.GetCurrentProcess().WorkingSet64 - before;
        Assert.That(grown, Is.LessThan(100L << 20), $"grew {grown >> 20} MB over 300 steps");
    }

    private static byte[] Save(OptimizerHelper optimizer)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            optimizer.save_state_dict(writer);
        return stream.ToArray();
    }

    private static void Load(OptimizerHelper optimizer, byte[] state)
    {
        using var reader = new BinaryReader(new MemoryStream(state));
        optimizer.load_state_dict(reader);
    }
}
