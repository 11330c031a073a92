// onnxreg-bench [--quick] [--only SECTION]: prints the in-process benchmark tables as Markdown (tools/benchmarks.sh
// adds the process-level measurements and writes BENCHMARKS.md). --only runs one section: throughput, augmentation,
// penalties, epochs, inference, export or memory.
using OnnxReg.Benchmarks;

bool quick = false;
string? only = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--quick") quick = true;
    else if (args[i] == "--only" && i + 1 < args.Length && BenchmarkSuite.Sections.Contains(args[i + 1])) only = args[++i];
    else
    {
        Console.Error.WriteLine($"onnxreg-bench: unknown argument '{args[i]}' (allowed: --quick, --only {string.Join("|", BenchmarkSuite.Sections)})");
        return 2;
    }
}
Console.Error.WriteLine($"machine: {BenchmarkSuite.Machine()}");
Console.Write(BenchmarkSuite.Run(new BenchmarkSettings(quick), step => Console.Error.WriteLine($"measuring {step}..."), only));
return 0;
