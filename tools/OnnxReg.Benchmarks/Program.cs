// onnxreg-bench [--quick]: prints the in-process benchmark tables as Markdown (tools/benchmarks.sh adds the
// process-level measurements and writes BENCHMARKS.md).
using OnnxReg.Benchmarks;

bool quick = args.Contains("--quick");
var unknown = args.Where(a => a != "--quick").ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"onnxreg-bench: unknown argument '{unknown[0]}' (allowed: --quick)");
    return 2;
}
Console.Error.WriteLine($"machine: {BenchmarkSuite.Machine()}");
Console.Write(BenchmarkSuite.Run(new BenchmarkSettings(quick), step => Console.Error.WriteLine($"measuring {step}...")));
return 0;
