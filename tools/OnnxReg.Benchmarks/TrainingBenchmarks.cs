using OnnxReg.Data;
using OnnxReg.Training;
using OnnxReg.Training.Augmentation;
using OnnxReg.Training.Checkpoints;
using OnnxReg.Training.Models;
using OnnxReg.Training.Optimizers;
using OnnxReg.Training.Regularization;
using TorchSharp;
using Sequential = TorchSharp.Modules.Sequential;
using TensorDataset = OnnxReg.Training.TensorDataset;
using static TorchSharp.torch;

namespace OnnxReg.Benchmarks;

/// <summary>Training throughput of the OnnxReg trainer against a minimal TorchSharp loop, and the cost of augmentation and penalties.</summary>
public static class TrainingBenchmarks
{
    private const int BatchSize = 128;

    public static IEnumerable<string[]> Throughput(BenchmarkSettings settings, ImageDataset images)
    {
        using var data = TensorDataset.From(images, Normalization.Estimate(images.Pixels));
        foreach (var preset in settings.MeasuredPresets)
        {
            using var minimalModel = ModelPresets.Create(preset, 1, 28, 28, 10, 0, seed: 1);
            using var trainerModel = ModelPresets.Create(preset, 1, 28, 28, 10, 0, seed: 1);
            // The trainer's allocation-free Adam in both, so the ratio measures the loop alone (TorchSharp's own Adam
            // grows the process once the heap keeps freed buffers: see OptimizerMemory).
            using var optimizer = InPlaceOptimizers.Create(OptimizerKind.Adam, minimalModel.parameters(), 1e-3, 0, 0);
            using var generator = new Generator(1);
            int epochs = settings.EpochsPerRepetition;
            var trainer = new Trainer(new TrainingOptions(Epochs: epochs, BatchSize: BatchSize));
            var minimal = new List<double>();
            var ours = new List<double>();
            // Interleaved, so that drifts in machine load hit both alike.
            for (int r = 0; r < settings.EpochRepetitions + 1; r++)
            {
                var m = Measure.Times(() => { for (int e = 0; e < epochs; e++) MinimalEpoch(minimalModel, data, optimizer, generator); }, 1, warmup: 0)[0];
                var t = Measure.Times(() => trainer.Fit(trainerModel, data), 1, warmup: 0)[0];
                if (r == 0) continue; // warm-up
                minimal.Add(m);
                ours.Add(t);
            }
            double minimalRate = epochs * data.Count / Measure.Median(minimal), ourRate = epochs * data.Count / Measure.Median(ours);
            yield return [preset.ToString().ToLowerInvariant(), Rate(minimalRate), Rate(ourRate), $"{ourRate / minimalRate:0.000}", "≥ 0.95", ourRate / minimalRate >= 0.95 ? "met" : "missed"];
        }
    }

    // The engine's own speed: shuffled batches by index from the same in-memory tensors, Adam, cross-entropy.
    private static void MinimalEpoch(Sequential model, TensorDataset data, TorchSharp.Modules.OptimizerHelper optimizer, Generator generator)
    {
        model.train();
        using var order = randperm(data.Count, generator: generator);
        for (int start = 0; start < data.Count; start += BatchSize)
        {
            using var scope = NewDisposeScope();
            int length = Math.Min(BatchSize, data.Count - start);
            var indices = order.narrow(0, start, length);
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(data.Select(indices)), data.Labels.index_select(0, indices));
            loss.backward();
            optimizer.step();
        }
    }

    /// <summary>Per-batch cost of each augmentation and of the default pipeline, as a share of a CNN training step;
    /// and the whole-epoch cost of augmentation and penalties measured through the trainer.</summary>
    public static IEnumerable<string[]> Augmentation(BenchmarkSettings settings, ImageDataset images)
    {
        using var data = TensorDataset.From(images, Normalization.Estimate(images.Pixels));
        using var model = ModelPresets.Create(ModelPreset.Cnn, 1, 28, 28, 10, 0, seed: 1);
        using var optimizer = InPlaceOptimizers.Create(OptimizerKind.Adam, model.parameters(), 1e-3, 0, 0);
        using var batch = data.Slice(0, BatchSize).clone();
        using var labels = data.Labels.narrow(0, 0, BatchSize).clone();
        model.train();
        double step = Measure.Median(Measure.Times(() =>
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.forward(batch), labels).backward();
            optimizer.step();
        }, settings.StepRepetitions, warmup: 3));
        yield return ["CNN training step (batch 128)", Ms(step), "100 %", ""];
        string[] specs = ["hflip", "vflip", "rotate=10", "scale=0.9:1.1", "translate=0.08", "crop=4", "erase", "noise=0.1", "mixup", "cutmix",
            "hflip,rotate=10,scale=0.9:1.1,translate=0.08"];
        foreach (var spec in specs)
        {
            using var pipeline = new AugmentationPipeline(AugmentationOptions.Parse(spec), seed: 1, data.Normalization);
            double cost = Measure.Median(Measure.Times(() =>
            {
                using var scope = NewDisposeScope();
                pipeline.Apply(batch, labels, 10);
            }, settings.StepRepetitions, warmup: 3));
            bool isDefault = spec.Contains(',');
            yield return [isDefault ? $"default pipeline ({spec})" : spec, Ms(cost), $"{cost / step:0.0 %}", isDefault ? (cost / step <= 0.10 ? "target ≤ 10 %: met" : "target ≤ 10 %: missed") : ""];
        }
    }

    /// <summary>
    /// The L1 + L2 penalty's cost per MLP training step (batch 128), the two ways it can be computed, interleaved in one
    /// run: differentiated with the loss (<see cref="WeightPenalty.Compute"/> in the graph, as before) and fused (its
    /// exact gradient added after backward, <see cref="WeightPenalty.AddGradients"/>, which the trainer uses).
    /// </summary>
    public static IEnumerable<string[]> PenaltyCost(BenchmarkSettings settings, ImageDataset images)
    {
        using var data = TensorDataset.From(images, Normalization.Estimate(images.Pixels));
        using var model = ModelPresets.Create(ModelPreset.Mlp, 1, 28, 28, 10, 0, seed: 1);
        using var optimizer = InPlaceOptimizers.Create(OptimizerKind.Adam, model.parameters(), 1e-3, 0, 0);
        using var batch = data.Slice(0, BatchSize).clone();
        using var labels = data.Labels.narrow(0, 0, BatchSize).clone();
        var penalty = new WeightPenalty(model, new WeightPenaltyOptions(L1: 1e-5, L2: 1e-4));
        model.train();
        var plain = new List<double>();
        var autograd = new List<double>();
        var fused = new List<double>();
        int repetitions = settings.StepRepetitions * 10;
        for (int r = 0; r < repetitions + 10; r++)
        {
            double p = Measure.Times(() =>
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.forward(batch), labels);
                _ = loss.ToDouble();
                loss.backward();
                optimizer.step();
            }, 1, warmup: 0)[0];
            double a = Measure.Times(() =>
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.forward(batch), labels);
                var term = penalty.Compute();
                _ = loss.ToDouble() + term.ToDouble();
                loss.add(term).backward();
                optimizer.step();
            }, 1, warmup: 0)[0];
            double f = Measure.Times(() =>
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.forward(batch), labels);
                _ = loss.ToDouble(); // the trainer measures the penalty's value once per epoch, not per step
                loss.backward();
                penalty.AddGradients();
                optimizer.step();
            }, 1, warmup: 0)[0];
            if (r < 10) continue; // warm-up
            plain.Add(p);
            autograd.Add(a);
            fused.Add(f);
        }
        double step = Measure.Median(plain);
        yield return ["MLP training step without a penalty", Ms(step), "", ""];
        foreach (var (name, times) in new[] { ("L1 + L2 differentiated with the loss (before)", autograd), ("L1 + L2 fused into the gradients (the trainer)", fused) })
        {
            double overhead = Measure.Median(times) / step - 1;
            yield return [name, Ms(Measure.Median(times)), $"{overhead:+0.0 %;-0.0 %}", name.Contains("fused") ? (overhead <= 0.10 ? "target ≤ 10 %: met" : "target ≤ 10 %: missed") : ""];
        }
    }

    /// <summary>
    /// Resident memory and time per step of TorchSharp's own Adam against the trainer's allocation-free one, on an MLP
    /// with a 784 × 512 layer (batch 128), with the heap kept as the trainer keeps it (<see cref="LibTorchHeap"/>).
    /// TorchSharp's runs last: the memory it takes is not given back to the process.
    /// </summary>
    public static IEnumerable<string[]> OptimizerMemory(BenchmarkSettings settings)
    {
        LibTorchHeap.Configure();
        int steps = settings.StepRepetitions * 10;
        foreach (var (name, create) in new (string, Func<IEnumerable<TorchSharp.Modules.Parameter>, TorchSharp.Modules.OptimizerHelper>)[]
        {
            ("in-place Adam (the trainer)", p => InPlaceOptimizers.Create(OptimizerKind.Adam, p, 1e-3, 0, 0)),
            ("TorchSharp 0.107 Adam", p => optim.Adam(p, lr: 1e-3)),
        })
        {
            manual_seed(1);
            using var model = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10));
            using var optimizer = create(model.parameters());
            using var batch = randn(BatchSize, 1, 28, 28);
            using var labels = randint(0, 10, [BatchSize]);
            void Step()
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.forward(batch), labels).backward();
                optimizer.step();
            }
            for (int i = 0; i < 20; i++) Step();
            long before = Environment.WorkingSet;
            var times = Measure.Times(Step, steps, warmup: 0);
            double grown = (Environment.WorkingSet - before) / (double)(1 << 20);
            yield return [name, Ms(Measure.Median(times)), $"{grown:+0;-0} MB over {steps} steps", $"{grown * 1024 / steps:+0;-0} KB"];
        }
    }

    /// <summary>Whole CNN and MLP epochs through the trainer with augmentation, penalties or a checkpoint after every
    /// epoch (written to <paramref name="folder"/>) against none.</summary>
    public static IEnumerable<string[]> EpochOverheads(BenchmarkSettings settings, ImageDataset images, string folder)
    {
        using var data = TensorDataset.From(images, Normalization.Estimate(images.Pixels));
        var plain = new TrainingConfiguration { Training = new TrainingOptions(Epochs: settings.EpochsPerRepetition, BatchSize: BatchSize) };
        var variants = new (string Name, TrainingConfiguration Configuration, bool Checkpoint)[]
        {
            ("default augmentation", plain with { Augmentation = AugmentationOptions.Parse("hflip,rotate=10,scale=0.9:1.1,translate=0.08") }, false),
            ("L1 + L2 penalties", plain with { Penalty = new WeightPenaltyOptions(L1: 1e-5, L2: 1e-4) }, false),
            ("checkpoint after every epoch", plain, true),
        };
        foreach (var preset in settings.MeasuredPresets)
            foreach (var (variantName, configuration, checkpoint) in variants)
            {
                var checkpointOptions = checkpoint ? new CheckpointOptions(Path.Combine(folder, $"{preset}.ckpt")) : null;
                using var baseModel = ModelPresets.Create(preset, 1, 28, 28, 10, 0, seed: 1);
                using var variantModel = ModelPresets.Create(preset, 1, 28, 28, 10, 0, seed: 1);
                var baseTrainer = new Trainer(plain);
                var variantTrainer = new Trainer(configuration);
                var baseTimes = new List<double>();
                var variantTimes = new List<double>();
                var ratios = new List<double>();
                // An MLP repetition lasts a third of a second, within this machine's noise: three times as many of them.
                int repetitions = preset == ModelPreset.Mlp ? 3 * settings.EpochRepetitions : settings.EpochRepetitions;
                for (int r = 0; r < repetitions + 1; r++)
                {
                    var b = Measure.Times(() => baseTrainer.Fit(baseModel, data), 1, warmup: 0)[0];
                    var v = Measure.Times(() => variantTrainer.Fit(variantModel, data, checkpoint: checkpointOptions), 1, warmup: 0)[0];
                    if (r == 0) continue;
                    baseTimes.Add(b);
                    variantTimes.Add(v);
                    ratios.Add(v / b);
                }
                // The median of each pair's ratio: a pair runs back to back, so a drift in machine load hits both alike.
                double overhead = Measure.Median(ratios) - 1;
                var name = checkpointOptions is null ? variantName : $"{variantName} ({new FileInfo(checkpointOptions.Path).Length / 1e6:0.0} MB file)";
                // The targets of BENCHMARKS.md: augmentation ≤ 25 % of an MLP epoch and ≤ 10 % of a CNN epoch, penalties
                // ≤ 10 % of an MLP epoch, a checkpoint after every epoch ≤ 5 %.
                double? limit = (variantName, preset) switch
                {
                    ("default augmentation", ModelPreset.Mlp) => 0.25,
                    ("default augmentation", _) => 0.10,
                    ("L1 + L2 penalties", ModelPreset.Mlp) => 0.10,
                    ("checkpoint after every epoch", _) => 0.05,
                    _ => null,
                };
                string target = limit is double l ? $"target ≤ {l:0 %}: {(overhead <= l ? "met" : "missed")}" : "";
                yield return [preset.ToString().ToLowerInvariant(), name, $"{Measure.Median(baseTimes):0.00} s", $"{Measure.Median(variantTimes):0.00} s", $"{overhead:+0.0 %;-0.0 %}", target];
            }
    }

    internal static string Rate(double samplesPerSecond) => $"{samplesPerSecond:N0}";

    internal static string Ms(double seconds) => $"{seconds * 1000:0.00} ms";
}
