using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using OnnxReg.Data;

namespace OnnxReg.Benchmarks;

/// <summary>Runs every in-process benchmark and renders the results as Markdown tables.</summary>
public static class BenchmarkSuite
{
    /// <summary>The sections, in the order they run; <c>--only</c> picks one.</summary>
    public static IReadOnlyList<string> Sections { get; } = ["throughput", "augmentation", "penalties", "epochs", "inference", "export", "memory"];

    public static string Run(BenchmarkSettings settings, Action<string>? log = null, string? only = null)
    {
        bool Wanted(string section) => only is null || only == section;
        var clock = Stopwatch.StartNew();
        var data = DatasetSource.Load(DatasetSource.Embedded);
        var train = data.Train.Take(settings.TrainImages);
        var folder = Path.Combine(Path.GetTempPath(), "onnxreg-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var md = new StringBuilder();
        try
        {
            if (Wanted("throughput"))
            {
                log?.Invoke("training throughput");
                Table(md, $"Training throughput (samples/s, batch 128, Adam, {train.Count:N0} embedded images per epoch, median of {settings.EpochRepetitions} interleaved repetitions of {settings.EpochsPerRepetition} epochs)",
                    ["model", "minimal TorchSharp loop", "OnnxReg Trainer", "ratio", "target", "result"], TrainingBenchmarks.Throughput(settings, train));
            }
            if (Wanted("augmentation"))
            {
                log?.Invoke("augmentation");
                Table(md, $"Augmentation cost per batch of 128 (median of {settings.StepRepetitions}), as a share of one CNN training step",
                    ["augmentation", "time", "share of a CNN step", "target"], TrainingBenchmarks.Augmentation(settings, train));
            }
            if (Wanted("penalties"))
            {
                log?.Invoke("penalties");
                Table(md, $"L1 + L2 penalty per MLP training step (batch 128; median of {settings.StepRepetitions * 10} interleaved steps each)",
                    ["step", "time", "overhead", "target"], TrainingBenchmarks.PenaltyCost(settings, train));
            }
            if (Wanted("epochs"))
            {
                log?.Invoke("epoch overheads");
                Table(md, $"Whole epochs through the trainer: augmentation, penalties and checkpointing against none (medians of {settings.EpochRepetitions} interleaved repetitions of {settings.EpochsPerRepetition} epochs, {3 * settings.EpochRepetitions} for the MLP; times per repetition; overhead: median of each pair's ratio)",
                    ["model", "variant", "epoch without", "epoch with", "overhead", "target"], TrainingBenchmarks.EpochOverheads(settings, train, folder));
            }
            if (Wanted("inference"))
            {
                log?.Invoke("inference");
                Table(md, "Inference: runtime library (`OnnxClassifier.Run`) vs ONNX Runtime called directly (same session options, OrtValues made once) vs TorchSharp eval mode",
                    ["model", "batch", "runtime library (median)", "runtime p99", "direct ORT (median)", "direct p99", "TorchSharp eval", "runtime / direct time (target ≤ 1.10)", "TorchSharp / runtime", "managed bytes per call (runtime / direct)"],
                    InferenceBenchmarks.Run(settings, data.Test, folder));
            }
            if (Wanted("export"))
            {
                log?.Invoke("export");
                Table(md, $"Export time (median of {settings.ExportRepetitions}; presets with dropout and batch norm, written to disk)",
                    ["model", "parameters", "file", "export time"], InferenceBenchmarks.Export(settings, folder));
            }
            if (Wanted("memory"))
            {
                log?.Invoke("optimizer memory");
                Table(md, $"Resident memory and time per MLP training step (784-512-256-10, batch 128, heap kept as the trainer keeps it; {settings.StepRepetitions * 10} steps each, the in-place optimizer first)",
                    ["optimizer", "step (median)", "process growth", "per step"], TrainingBenchmarks.OptimizerMemory(settings));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        md.AppendLine($"In-process benchmarks took {clock.Elapsed.TotalSeconds:0} s{(settings.Quick ? " (quick smoke mode: figures are not meaningful)" : "")}.");
        return md.ToString();
    }

    public static string Machine() =>
        $"{Environment.ProcessorCount} cores ({CpuModel()}), {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, libtorch kernels {OnnxReg.Training.CpuKernels.Settings.Mode.ToString().ToLowerInvariant()}";

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private static void Table(StringBuilder md, string title, string[] header, IEnumerable<string[]> rows)
    {
        md.AppendLine($"### {title}").AppendLine();
        md.AppendLine("| " + string.Join(" | ", header) + " |");
        md.AppendLine("|" + string.Concat(header.Select(_ => " --- |")));
        foreach (var row in rows)
            md.AppendLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|"))) + " |");
        md.AppendLine();
    }
}
