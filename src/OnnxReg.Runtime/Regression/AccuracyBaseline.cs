using OnnxReg.Data;
using System.Text.Json;
using System.Text.Json.Serialization;
using OnnxReg.Data.IO;

namespace OnnxReg.Runtime.Regression;

/// <summary>
/// What a model scored when its baseline was written: the file <c>NAME.baseline.json</c> kept beside
/// <c>NAME.onnx</c>, checked by <see cref="AccuracyRegression"/>.
/// </summary>
/// <param name="Model">The model's file name.</param>
/// <param name="Command">How the model was made (the exact <c>onnxreg train</c> command, when known).</param>
/// <param name="Data">The dataset it was measured on, in words.</param>
/// <param name="Images">How many images were evaluated.</param>
/// <param name="Accuracy">Accuracy measured with ONNX Runtime.</param>
/// <param name="Loss">Mean cross-entropy measured with ONNX Runtime.</param>
/// <param name="WeightsSha256">The model's weight hash (its <c>onnxreg.weights_sha256</c> metadata).</param>
/// <param name="Tolerance">How far below <see cref="Accuracy"/> a later measurement may fall and still pass.</param>
/// <param name="OnnxRuntimeVersion">The ONNX Runtime package version that measured it.</param>
public sealed record AccuracyBaseline(
    string Model,
    string? Command,
    string Data,
    int Images,
    double Accuracy,
    double Loss,
    string? WeightsSha256,
    double Tolerance,
    string OnnxRuntimeVersion)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The baseline file that belongs to <paramref name="modelPath"/>: <c>NAME.baseline.json</c> beside <c>NAME.onnx</c>.</summary>
    public static string PathFor(string modelPath) => System.IO.Path.ChangeExtension(modelPath, null) + ".baseline.json";

    /// <summary>Reads a baseline file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid baseline (including a tolerance outside [0, 1), which would pass anything).</exception>
    public static AccuracyBaseline Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Baseline file '{path}' does not exist; write one with 'onnxreg regress --write-baselines' or AccuracyRegression.WriteBaseline.", path);
        AccuracyBaseline? baseline;
        try { baseline = JsonSerializer.Deserialize<AccuracyBaseline>(UntrustedFile.ReadAllText(path, "baseline file"), Json); }
        catch (JsonException e) { throw new InvalidDataException($"Baseline file '{path}' is not valid: {JsonErrors.Describe(e, typeof(AccuracyBaseline), Json)}", e); }
        if (baseline is null || !(baseline.Accuracy is >= 0 and <= 1) || !(baseline.Tolerance is >= 0 and < 1) || baseline.Images < 1)
            throw new InvalidDataException(
                $"Baseline file '{path}' is not valid: it needs accuracy in [0, 1], a tolerance in [0, 1) and at least one image (received accuracy {baseline?.Accuracy}, tolerance {baseline?.Tolerance}, images {baseline?.Images}). Rewrite it with 'onnxreg regress --write-baselines'.");
        return baseline;
    }

    /// <summary>Writes the baseline to <paramref name="path"/> atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this, Json));
}
