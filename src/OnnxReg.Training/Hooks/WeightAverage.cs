using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training.Hooks;

/// <summary>
/// An exponential moving average of the weights (timm's model EMA, TensorFlow's <c>ExponentialMovingAverage</c>):
/// after every step each floating-point parameter and buffer (BatchNorm statistics too) is averaged as
/// <c>ema = d·ema + (1 − d)·w</c> with <c>d = min(decay, (1 + t)/(10 + t))</c> after t updates, so early steps are not
/// swamped by the initial weights. At each epoch's end the average is swapped into the model — validation, early
/// stopping's best weights, the checkpoint's weights and finally the exported model are the average — and the raw
/// weights are swapped back before the next epoch trains. The other set (the average mid-epoch, the raw weights
/// between epochs) is checkpointed, so a resumed run ends as an uninterrupted one.
/// </summary>
public sealed class WeightAverage : ICheckpointedHook, IDisposable
{
    private const string UpdatesName = "ema.updates", HoldsAverageName = "ema.holds_average";
    private readonly double _decay;
    private readonly List<(string Name, Tensor Live)> _live;
    private readonly Dictionary<string, Tensor> _other;
    private long _updates;
    private bool _holdsAverage;

    /// <summary>Starts the average at <paramref name="model"/>'s current weights.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="decay"/> is not in (0, 1).</exception>
    public WeightAverage(nn.Module model, double decay)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(decay > 0 && decay < 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "The EMA decay must be in (0, 1).");
        _decay = decay;
        _live = [.. model.state_dict().Where(p => p.Value.is_floating_point()).Select(p => (p.Key, p.Value))];
        using (no_grad())
            _other = _live.ToDictionary(p => p.Name, p => p.Live.detach().clone());
    }

    /// <inheritdoc />
    public string Key => "ema";

    /// <summary>The decay of the step after <paramref name="updates"/> updates: min(decay, (1 + t)/(10 + t)).</summary>
    public double DecayAfter(long updates) => Math.Min(_decay, (1.0 + updates) / (10.0 + updates));

    /// <inheritdoc />
    public void AfterOptimizerStep()
    {
        double weight = 1 - DecayAfter(_updates++);
        using var noGrad = no_grad();
        foreach (var (name, live) in _live)
            _other[name].lerp_(live, weight);
    }

    /// <inheritdoc />
    public void OnEpochEnd(int epoch)
    {
        if (_holdsAverage) return;
        Swap();
        _holdsAverage = true;
    }

    /// <inheritdoc />
    public void OnEpochStart(int epoch)
    {
        if (!_holdsAverage) return;
        Swap();
        _holdsAverage = false;
    }

    private void Swap()
    {
        using var noGrad = no_grad();
        foreach (var (name, live) in _live)
        {
            using var held = live.clone();
            live.copy_(_other[name]);
            _other[name].copy_(held);
        }
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> SaveTensors()
    {
        var state = new Dictionary<string, Tensor>(_other, StringComparer.Ordinal)
        {
            [UpdatesName] = _counters[0].fill_(_updates),
            [HoldsAverageName] = _counters[1].fill_(_holdsAverage ? 1 : 0),
        };
        return state;
    }

    private readonly Tensor[] _counters = [zeros(1, ScalarType.Int64), zeros(1, ScalarType.Int64)];

    /// <inheritdoc />
    public void RestoreTensors(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var expected = _other.Keys.Append(UpdatesName).Append(HoldsAverageName).Order(StringComparer.Ordinal);
        if (!state.Keys.Order(StringComparer.Ordinal).SequenceEqual(expected))
            throw new InvalidDataException("The EMA state does not hold this model's weights.");
        foreach (var (name, tensor) in _other)
            if (!state[name].shape.SequenceEqual(tensor.shape) || state[name].dtype != tensor.dtype)
                throw new InvalidDataException($"The EMA state of '{name}' has another shape or dtype than the model's.");
        foreach (var counter in new[] { UpdatesName, HoldsAverageName })
            if (state[counter].dtype != ScalarType.Int64 || state[counter].numel() != 1)
                throw new InvalidDataException($"The EMA state's '{counter}' is not one integer.");
        long updates = state[UpdatesName].item<long>(), holds = state[HoldsAverageName].item<long>();
        if (updates < 0 || holds is not (0 or 1)) throw new InvalidDataException("The EMA state's counters are out of range.");
        using (no_grad())
            foreach (var (name, tensor) in _other) tensor.copy_(state[name]);
        _updates = updates;
        _holdsAverage = holds == 1;
    }

    /// <summary>Frees the averaged (or held) copies.</summary>
    public void Dispose()
    {
        foreach (var tensor in _other.Values.Concat(_counters)) tensor.Dispose();
        _other.Clear();
    }
}
