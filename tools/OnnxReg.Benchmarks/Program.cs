// onnxreg-bench [--quick] [--only SECTION] [--preset mlp|cnn]: prints the in-process benchmark tables as Markdown
// (tools/benchmarks.sh adds the process-level measurements and writes BENCHMARKS.md). --only runs one section:
// throughput, augmentation, penalties, epochs, inference, export or memory; --preset limits the MLP/CNN tables to one.
using OnnxReg.Benchmarks;
using OnnxReg.Training;
using OnnxReg.Training.Models;

// The trainer's kernel caps, in force before the bare TorchSharp loops run too, so both sides use the same kernels.
CpuKernels.Apply();

bool quick = false;
string? only = null;
List<ModelPreset>? presets = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--quick") quick = true;
    else if (args[i] == "--only" && i + 1 < args.Length && BenchmarkSuite.Sections.Contains(args[i + 1])) only = args[++i];
    else if (args[i] == "--preset" && i + 1 < args.Length && args[i + 1] is "mlp" or "cnn")
        (presets ??= []).Add(args[++i] == "mlp" ? ModelPreset.Mlp : ModelPreset.Cnn);
    else
    {
        Console.Error.WriteLine($"onnxreg-bench: unknown argument '{args[i]}' (allowed: --quick, --only {string.Join("|", BenchmarkSuite.Sections)}, --preset mlp|cnn)");
        return 2;
    }
}
Console.Error.WriteLine($"machine: {BenchmarkSuite.Machine()}");
Console.Write(BenchmarkSuite.Run(new BenchmarkSettings(quick, presets), step => Console.Error.WriteLine($"measuring {step}..."), only));
return 0;
