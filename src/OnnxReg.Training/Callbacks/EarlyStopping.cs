using System.Globalization;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace OnnxReg.Training.Callbacks;

/// <summary>
/// Stops training when a monitored metric stops improving, and restores the best epoch's weights at the end of
/// training, whatever ended it. An ordinary checkpointed callback: its best value, best epoch and patience count
/// travel in every checkpoint. The best weights are kept as copies (detached clones) owned by this object, not
/// references to the live parameters; dispose it to free them.
/// </summary>
public sealed class EarlyStopping : ICheckpointedCallback, IDisposable
{
    private const string Watcher = "Early stopping";
    private readonly EarlyStoppingOptions _options;
    private readonly MetricMonitor _monitor;
    private Dictionary<string, Tensor>? _bestWeights;

    /// <summary>Creates the callback; options are validated here.</summary>
    public EarlyStopping(EarlyStoppingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _monitor = new MetricMonitor(options.Monitor, options.Mode, options.MinDelta);
        Reset();
    }

    /// <summary>The best monitored value so far (±∞ before the first monitored epoch).</summary>
    public double BestValue { get; private set; }

    /// <summary>The epoch with the best monitored value, or null if none was monitored yet.</summary>
    public int? BestEpoch { get; private set; }

    /// <summary>Consecutive monitored epochs that did not reset the patience count.</summary>
    public int Wait { get; private set; }

    /// <summary>The epoch whose weights were restored at the end of training, or null if none were.</summary>
    public int? RestoredEpoch { get; private set; }

    /// <inheritdoc />
    public string StateKey => "early_stopping";

    /// <inheritdoc />
    public void OnTrainBegin(nn.Module model) => Reset();

    /// <inheritdoc />
    public StopRequest? OnEpochEnd(nn.Module model, EpochMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (metrics.Epoch <= _options.StartFromEpoch)
            return null;
        double current = _monitor.Read(metrics, Watcher);
        string Value() => current.ToString("G4", CultureInfo.InvariantCulture);
        if (!double.IsFinite(current))
            return _options.StopOnNonFinite ? Stop(StopReason.NonFiniteMetric, metrics, $"{_options.Monitor} is {Value()}") : null;
        if (_options.DivergenceThreshold is double threshold && _monitor.IsWorseThan(current, threshold))
            return Stop(StopReason.Diverged, metrics, $"{_options.Monitor} = {Value()} crossed the divergence threshold {threshold.ToString(CultureInfo.InvariantCulture)}");

        Wait++;
        if (_monitor.IsImprovement(current, BestValue))
        {
            BestValue = current;
            BestEpoch = metrics.Epoch;
            if (_options.RestoreBestWeights) Snapshot(model);
            if (_options.Baseline is not double baseline || _monitor.IsImprovement(current, baseline))
            {
                Wait = 0;
                return null;
            }
        }
        // Wait counts this epoch too, so patience 0 stops at the first epoch that does not improve.
        if (Wait < _options.Patience)
            return null;
        string baselineNote = _options.Baseline is double b ? $" on the baseline {b.ToString(CultureInfo.InvariantCulture)}" : "";
        return Stop(StopReason.NoImprovement, metrics, $"{_options.Monitor} did not improve{baselineNote} for {_options.Patience} epoch(s)");
    }

    private static StopRequest Stop(StopReason reason, EpochMetrics metrics, string why) => new(reason, $"early stopping at epoch {metrics.Epoch}: {why}");

    /// <inheritdoc />
    public void OnTrainEnd(nn.Module model)
    {
        if (!_options.RestoreBestWeights || _bestWeights is null)
            return;
        ModuleState.CopyInto(model, _bestWeights);
        RestoredEpoch = BestEpoch;
    }

    /// <summary>The saved copies of the best epoch's weights (owned by this object), or null if none were saved.</summary>
    public IReadOnlyDictionary<string, Tensor>? BestWeights => _bestWeights;

    /// <inheritdoc />
    public JsonObject SaveState() => new()
    {
        // JSON has no infinities: before the first monitored epoch the best value is the monitor's worst, stored as null.
        ["bestValue"] = double.IsFinite(BestValue) ? BestValue : null,
        ["bestEpoch"] = BestEpoch,
        ["wait"] = Wait,
    };

    /// <inheritdoc />
    public void RestoreState(JsonObject state, int epochsDone)
    {
        ArgumentNullException.ThrowIfNull(state);
        try
        {
            double? bestValue = state["bestValue"]?.GetValue<double>();
            int? bestEpoch = state["bestEpoch"]?.GetValue<int>();
            int wait = state["wait"]?.GetValue<int>() ?? throw new InvalidDataException("Early stopping's state has no patience count.");
            if (bestEpoch is int epoch && (epoch < 1 || epoch > epochsDone))
                throw new InvalidDataException($"Early stopping's best epoch {epoch} is out of range (1 to {epochsDone}).");
            if (wait < 0 || wait > epochsDone)
                throw new InvalidDataException($"Early stopping's patience count {wait} is out of range (0 to {epochsDone}).");
            if ((bestValue is double value && !double.IsFinite(value)) || (bestValue is null) != (bestEpoch is null))
                throw new InvalidDataException("Early stopping's best value and best epoch do not go together.");
            (BestValue, BestEpoch, Wait) = (bestValue ?? _monitor.Worst, bestEpoch, wait);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"Early stopping's state is malformed ({e.Message}).", e);
        }
    }

    /// <summary>Takes ownership of the best weights saved in a checkpoint (call after <see cref="RestoreState"/>).</summary>
    internal void AdoptBestWeights(Dictionary<string, Tensor>? bestWeights)
    {
        DisposeWeights();
        _bestWeights = bestWeights;
    }

    /// <summary>Frees the saved best weights.</summary>
    public void Dispose() => DisposeWeights();

    // Copies every parameter and buffer (BatchNorm running statistics too), detached from autograd.
    private void Snapshot(nn.Module model)
    {
        DisposeWeights();
        _bestWeights = ModuleState.Copy(model);
    }

    private void Reset()
    {
        DisposeWeights();
        BestValue = _monitor.Worst;
        BestEpoch = null;
        Wait = 0;
        RestoredEpoch = null;
    }

    private void DisposeWeights()
    {
        ModuleState.Dispose(_bestWeights);
        _bestWeights = null;
    }
}
