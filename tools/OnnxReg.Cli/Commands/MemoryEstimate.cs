using System.Diagnostics;
using OnnxReg.Data;
using OnnxReg.Training.Models;

namespace OnnxReg.Cli.Commands;

/// <summary>The training process's peak memory, estimated before training (summary, train) and measured after it
/// (train), in the words both print.</summary>
internal static class MemoryEstimate
{
    /// <summary>"estimated peak memory at batch 128: 1.2 GiB (process and libraries 290 MiB, …)".</summary>
    public static string Describe(ModelBudget budget, int batchSize, long dataBytes) =>
        $"estimated peak memory at batch {batchSize}: {ByteSize.Format(budget.PeakBytes(batchSize, dataBytes))} " +
        $"(process and libraries {ByteSize.Format(ModelBudget.ProcessBytes)}, {budget.Parameters:N0} parameters {ByteSize.Format(budget.ParameterBytes)}, " +
        $"{budget.ActivationsPerSample:N0} activations per image {ByteSize.Format(budget.ActivationBytes(batchSize))}, data in memory {ByteSize.Format(dataBytes)}; within {ModelBudget.FittedWithinPercent} % on the benchmark machine, see BENCHMARKS.md)";

    /// <summary>This process's peak resident memory so far (VmHWM on Linux), or null where the platform does not say.</summary>
    public static long? MeasuredPeakBytes()
    {
        using var self = Process.GetCurrentProcess();
        long peak = self.PeakWorkingSet64;
        return peak > 0 ? peak : null;
    }

    /// <summary>"peak memory: 1.1 GiB, 0.93 × the estimate of 1.2 GiB".</summary>
    public static string Measured(long peakBytes, long estimatedBytes) =>
        $"peak memory: {ByteSize.Format(peakBytes)}, {(double)peakBytes / estimatedBytes:F2} × the estimate of {ByteSize.Format(estimatedBytes)}";
}
