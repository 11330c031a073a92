using System.Text.Json;
using OnnxReg.Data.IO;

namespace OnnxReg.Experiments;

/// <summary>
/// Where an experiment keeps its finished runs — a study's runs and a tuner's trials alike: one folder per run with
/// the exported <c>model.onnx</c> and a JSON result that carries the run's fingerprint (data, sizes, configuration).
/// A run whose folder holds both, with the same fingerprint, is reused instead of trained again; an unreadable or
/// stale result is simply retrained.
/// </summary>
/// <typeparam name="TResult">The result record (<c>RunResult</c>, <c>TrialResult</c>).</typeparam>
/// <param name="resultFileName">The result's file name in a run folder (<c>run.json</c>, <c>trial.json</c>).</param>
/// <param name="fingerprintOf">Reads the fingerprint a result was recorded with.</param>
public sealed class RunStore<TResult>(string resultFileName, Func<TResult, string> fingerprintOf) where TResult : class
{
    /// <summary>The exported model's file name in a run folder.</summary>
    public const string ModelFileName = "model.onnx";

    /// <summary>The finished result in <paramref name="folder"/> if it was recorded with <paramref name="fingerprint"/>, else null.</summary>
    public TResult? TryReuse(string folder, string fingerprint)
    {
        var path = Path.Combine(folder, resultFileName);
        if (!File.Exists(path) || !File.Exists(Path.Combine(folder, ModelFileName))) return null;
        try
        {
            var result = JsonSerializer.Deserialize<TResult>(UntrustedFile.ReadAllText(path, "run result"), StudyJson.Options);
            return result is not null && fingerprintOf(result) == fingerprint ? result : null;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return null; // an unreadable result is retrained
        }
    }

    /// <summary>Writes <paramref name="result"/> into <paramref name="folder"/> atomically (after its model).</summary>
    public void Save(string folder, TResult result) =>
        AtomicFile.WriteAllBytes(Path.Combine(folder, resultFileName), JsonSerializer.SerializeToUtf8Bytes(result, StudyJson.Options));
}
