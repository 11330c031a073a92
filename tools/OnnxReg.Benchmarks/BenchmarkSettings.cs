namespace OnnxReg.Benchmarks;

/// <summary>How long to measure: the full run for BENCHMARKS.md, or a quick smoke run proving the benchmarks still work.</summary>
/// <param name="Quick">Few iterations on little data (CI's smoke mode); its figures mean nothing.</param>
/// <param name="Presets">The model presets the training and inference tables measure (default: the MLP and the CNN);
/// <c>--preset mlp</c> measures the MLP alone, minutes sooner than with the CNN's epochs.</param>
public sealed record BenchmarkSettings(bool Quick, IReadOnlyList<OnnxReg.Training.Models.ModelPreset>? Presets = null)
{
    /// <summary>The presets measured, in order.</summary>
    public IReadOnlyList<OnnxReg.Training.Models.ModelPreset> MeasuredPresets => Presets ?? [OnnxReg.Training.Models.ModelPreset.Mlp, OnnxReg.Training.Models.ModelPreset.Cnn];

    public int TrainImages => Quick ? 512 : 6000;
    public int EpochRepetitions => Quick ? 1 : 7;

    /// <summary>Epochs per timed repetition: an MLP epoch on 6,000 images is only ~0.1 s, too short to time alone.</summary>
    public int EpochsPerRepetition => Quick ? 1 : 3;
    public int StepRepetitions => Quick ? 3 : 30;
    public int LatencyCalls => Quick ? 100 : 5000;
    public int ThroughputCalls => Quick ? 3 : 40;
    public int ExportRepetitions => Quick ? 1 : 5;
}
