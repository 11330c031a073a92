using OnnxReg.Training.Callbacks;

namespace OnnxReg.Training.Schedules;

/// <summary>Computes the learning rate of each epoch; for reduce-on-plateau it watches the metrics epoch by epoch.</summary>
public sealed class LearningRateSchedule
{
    private readonly LearningRateScheduleOptions _options;
    private readonly double _initial;
    private readonly int _epochs;
    private readonly MetricMonitor _monitor;
    private double _current;
    private double _best;
    private int _badEpochs;

    /// <summary>Creates the schedule for a run of <paramref name="epochs"/> starting at <paramref name="initialLearningRate"/>.</summary>
    public LearningRateSchedule(LearningRateScheduleOptions options, double initialLearningRate, int epochs)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _initial = _current = initialLearningRate;
        _epochs = epochs;
        // The direction rule is early stopping's; the threshold is relative, as in PyTorch's ReduceLROnPlateau.
        _monitor = new MetricMonitor(options.Monitor, MonitorMode.Auto, options.Threshold, ImprovementThreshold.Relative);
        _best = _monitor.Worst;
    }

    /// <summary>The learning rate for 1-based <paramref name="epoch"/>.</summary>
    public double LearningRateFor(int epoch) => _options.Kind switch
    {
        LearningRateScheduleKind.Cosine => _options.MinLearningRate + (_initial - _options.MinLearningRate) * (1 + Math.Cos(Math.PI * (epoch - 1) / _epochs)) / 2,
        _ => _current,
    };

    /// <summary>What reduce-on-plateau has learnt so far (the current rate, the best value, the bad-epoch count), for checkpoints.</summary>
    public LearningRateScheduleState State
    {
        get => new(_current, _best, _badEpochs);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            (_current, _best, _badEpochs) = (value.Current, value.Best, value.BadEpochs);
        }
    }

    /// <summary>Feeds an epoch's metrics (reduce-on-plateau lowers the rate for the next epoch after <c>patience</c> bad
    /// epochs). A NaN or infinite value counts as neither better nor worse: early stopping is the guard against those.</summary>
    /// <exception cref="Data.OnnxRegException">The epoch did not report the watched metric.</exception>
    public void Observe(EpochMetrics metrics)
    {
        if (_options.Kind != LearningRateScheduleKind.ReduceOnPlateau) return;
        double value = _monitor.Read(metrics, "The plateau schedule");
        if (!double.IsFinite(value)) return;
        if (_monitor.IsImprovement(value, _best) || double.IsInfinity(_best))
        {
            _best = value;
            _badEpochs = 0;
            return;
        }
        if (++_badEpochs > _options.Patience)
        {
            _current = Math.Max(_current * _options.Factor, _options.MinLearningRate);
            _badEpochs = 0;
        }
    }
}
