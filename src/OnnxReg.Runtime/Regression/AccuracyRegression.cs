using System.Globalization;
using System.Reflection;
using OnnxReg.Data;

namespace OnnxReg.Runtime.Regression;

/// <summary>
/// Regression checks on exported accuracy, for any test framework: evaluate an ONNX file on a dataset with ONNX
/// Runtime and compare with its baseline file; or write a fresh baseline.
/// </summary>
/// <example>
/// <code>
/// [Test]
/// public void ShippedModel_HasNotRegressed()
/// {
///     var result = AccuracyRegression.Check("models/cnn.onnx", DatasetSource.Load("embedded").Test);
///     Assert.That(result.Passed, result.Message);
/// }
/// </code>
/// </example>
public static class AccuracyRegression
{
    /// <summary>The tolerance written into new baselines unless another is given: one percentage point.</summary>
    public const double DefaultTolerance = 0.01;

    /// <summary>Evaluates <paramref name="modelPath"/> on <paramref name="data"/> and compares it with its baseline
    /// (<paramref name="baselinePath"/>, by default <c>NAME.baseline.json</c> beside the model).</summary>
    /// <exception cref="FileNotFoundException">The model or the baseline does not exist.</exception>
    /// <exception cref="InvalidDataException">The model or the baseline is not valid.</exception>
    public static RegressionResult Check(string modelPath, ImageDataset data, string? baselinePath = null)
    {
        baselinePath ??= AccuracyBaseline.PathFor(modelPath);
        var baseline = AccuracyBaseline.Load(baselinePath);
        using var model = OnnxClassifier.Load(modelPath);
        var now = Evaluator.Evaluate(model, data);
        // The hash of the weights the file carries, not the one it declares about itself: an edited weight changes it.
        var hash = OnnxFile.WeightsSha256(modelPath);
        bool weightsChanged = baseline.WeightsSha256 is not null && hash != baseline.WeightsSha256;
        bool passed = now.Accuracy >= baseline.Accuracy - baseline.Tolerance - 1e-12;
        string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
        var message = passed
            ? $"Model '{modelPath}' accuracy {F(now.Accuracy)} is within tolerance {F(baseline.Tolerance)} of its baseline {F(baseline.Accuracy)} ('{baselinePath}')."
            : $"Model '{modelPath}' accuracy {F(now.Accuracy)} is below its baseline {F(baseline.Accuracy)} minus tolerance {F(baseline.Tolerance)} ('{baselinePath}'){(weightsChanged ? "; its weights changed since the baseline was written" : "")}.";
        return new RegressionResult(modelPath, baselinePath, baseline, now, weightsChanged, passed, message);
    }

    /// <summary>Decimals of the mean loss a baseline records: a re-measurement that differs only in float rounding
    /// (the 16th digit) leaves the file as it is, so rewriting baselines does not dirty version control.</summary>
    public const int LossDecimals = 6;

    /// <summary>
    /// Measures <paramref name="modelPath"/> on <paramref name="data"/> and writes its baseline (atomically), unless
    /// the file already says exactly that: same model, command, data, image count, accuracy, loss to
    /// <see cref="LossDecimals"/> decimals, weights, tolerance and ONNX Runtime version. Then it is left untouched.
    /// </summary>
    /// <param name="modelPath">The model.</param>
    /// <param name="data">The dataset (the same one later checks use).</param>
    /// <param name="dataDescription">The dataset in words, recorded in the baseline.</param>
    /// <param name="tolerance">How far below the measured accuracy later checks may fall.</param>
    /// <param name="baselinePath">Where to write; by default <c>NAME.baseline.json</c> beside the model.</param>
    /// <returns>The baseline, and whether the file was (re)written.</returns>
    public static (AccuracyBaseline Baseline, bool Written) WriteBaseline(string modelPath, ImageDataset data, string dataDescription, double tolerance = DefaultTolerance, string? baselinePath = null)
    {
        if (!(tolerance >= 0 && tolerance < 1))
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, $"Tolerance must be in [0, 1). Received: {tolerance}.");
        using var model = OnnxClassifier.Load(modelPath);
        var now = Evaluator.Evaluate(model, data);
        var baseline = new AccuracyBaseline(Path.GetFileName(modelPath), model.Description.Command, dataDescription,
            now.Count, now.Accuracy, Math.Round(now.MeanLoss, LossDecimals), OnnxFile.WeightsSha256(modelPath), tolerance, OnnxRuntimeVersion);
        baselinePath ??= AccuracyBaseline.PathFor(modelPath);
        if (File.Exists(baselinePath))
        {
            try
            {
                if (AccuracyBaseline.Load(baselinePath) == baseline)
                    return (baseline, false);
            }
            catch (InvalidDataException)
            {
                // a damaged baseline is simply rewritten
            }
        }
        baseline.Save(baselinePath);
        return (baseline, true);
    }

    /// <summary>The Microsoft.ML.OnnxRuntime package version in use.</summary>
    public static string OnnxRuntimeVersion { get; } =
        typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";
}
