using static TorchSharp.torch;

namespace OnnxReg.Training.Callbacks;

/// <summary>
/// Stops training when a monitored metric stops improving, and restores the best epoch's weights at the end of
/// training, whatever ended it. The best weights are kept as copies (detached clones) owned by this object, not
/// references to the live parameters; dispose it to free them.
/// </summary>
public sealed class EarlyStopping : ITrainingCallback, IDisposable
{
    private readonly EarlyStoppingOptions _options;
    private readonly bool _lowerIsBetter;
    private Dictionary<string, Tensor>? _bestWeights;

    /// <summary>Creates the callback; options are validated here.</summary>
    public EarlyStopping(EarlyStoppingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _lowerIsBetter = options.ResolvedMode == MonitorMode.Min;
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
    public void OnTrainBegin(nn.Module model) => Reset();

    /// <inheritdoc />
    public StopReason? OnEpochEnd(nn.Module model, EpochMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (metrics.Epoch <= _options.StartFromEpoch)
            return null;
        double current = metrics.Get(_options.Monitor)
            ?? throw new OnnxReg.Data.OnnxRegException($"Early stopping monitors '{_options.Monitor}', which epoch {metrics.Epoch} did not report (is there a validation set?).");
        if (!double.IsFinite(current))
            return _options.StopOnNonFinite ? StopReason.NonFiniteMetric : null;
        if (_options.DivergenceThreshold is double threshold && (_lowerIsBetter ? current > threshold : current < threshold))
            return StopReason.Diverged;

        Wait++;
        if (IsImprovement(current, BestValue))
        {
            BestValue = current;
            BestEpoch = metrics.Epoch;
            if (_options.RestoreBestWeights) Snapshot(model);
            if (_options.Baseline is not double baseline || IsImprovement(current, baseline))
            {
                Wait = 0;
                return null;
            }
        }
        // Wait counts this epoch too, so patience 0 stops at the first epoch that does not improve.
        return Wait >= _options.Patience ? StopReason.NoImprovement : null;
    }

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

    /// <summary>
    /// Continues from a state saved in a checkpoint: the best value and epoch, the patience count and the best
    /// weights. Call it after <see cref="OnTrainBegin"/> (which resets everything). This object takes ownership of
    /// <paramref name="bestWeights"/>.
    /// </summary>
    public void Restore(double bestValue, int? bestEpoch, int wait, Dictionary<string, Tensor>? bestWeights)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(wait);
        DisposeWeights();
        (BestValue, BestEpoch, Wait, _bestWeights) = (bestValue, bestEpoch, wait, bestWeights);
    }

    /// <summary>Frees the saved best weights.</summary>
    public void Dispose() => DisposeWeights();

    private bool IsImprovement(double current, double reference) =>
        _lowerIsBetter ? current < reference - _options.MinDelta : current > reference + _options.MinDelta;

    // Copies every parameter and buffer (BatchNorm running statistics too), detached from autograd.
    private void Snapshot(nn.Module model)
    {
        DisposeWeights();
        _bestWeights = ModuleState.Copy(model);
    }

    private void Reset()
    {
        DisposeWeights();
        BestValue = _lowerIsBetter ? double.PositiveInfinity : double.NegativeInfinity;
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
