using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training.Hooks;

/// <summary>
/// Stochastic weight averaging (Izmailov et al., 2018; PyTorch's <c>torch.optim.swa_utils</c>): the weights at the end of
/// each of the last epochs are averaged with equal weight, and when training ends the average is put into the model
/// and BatchNorm's running statistics are recomputed for it with one pass over the training data (<c>update_bn</c>).
/// The average and its count are checkpointed. What ships is the average (after early stopping's restore, which it
/// replaces); an interrupted run leaves the model as its checkpoint has it.
/// </summary>
public sealed class StochasticWeightAverage : ICheckpointedHook, IDisposable
{
    private const string CountName = "swa.count";
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly int _firstEpoch;
    private readonly int _batchSize;
    private readonly List<(string Name, Tensor Live)> _parameters;
    private readonly Dictionary<string, Tensor> _average;
    private readonly Tensor _countTensor = zeros(1, ScalarType.Int64);
    private long _count;
    private TensorDataset? _train;

    /// <summary>Averages the last ⌈<paramref name="fraction"/>·<paramref name="epochs"/>⌉ epochs of <paramref name="model"/>.</summary>
    public StochasticWeightAverage(nn.Module<Tensor, Tensor> model, int epochs, double fraction, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(fraction > 0 && fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The SWA fraction must be in (0, 1].");
        _model = model;
        _firstEpoch = epochs - (int)Math.Ceiling(fraction * epochs) + 1;
        _batchSize = batchSize;
        _parameters = [.. model.named_parameters().Select(p => (p.name, (Tensor)p.parameter))];
        using (no_grad())
            _average = _parameters.ToDictionary(p => p.Name, p => zeros_like(p.Live));
    }

    /// <inheritdoc />
    public string Key => "swa";

    /// <summary>The first epoch whose weights are averaged.</summary>
    public int FirstEpoch => _firstEpoch;

    /// <inheritdoc />
    public void OnTrainBegin(TensorDataset train) => _train = train;

    /// <inheritdoc />
    public void OnEpochEnd(int epoch)
    {
        if (epoch < _firstEpoch) return;
        using var noGrad = no_grad();
        foreach (var (name, live) in _parameters)
            _average[name].lerp_(live, 1.0 / (_count + 1)); // a running mean: avg + (w − avg)/(n + 1)
        _count++;
    }

    /// <inheritdoc />
    public void OnTrainEnd(bool interrupted)
    {
        if (interrupted || _count == 0) return; // stopped before the averaging window: the weights stay as trained
        using (no_grad())
            foreach (var (name, live) in _parameters) live.copy_(_average[name]);
        UpdateBatchNorm();
    }

    // update_bn: running statistics as a cumulative average over one pass of the (unaugmented) training data.
    private void UpdateBatchNorm()
    {
        var norms = _model.modules().OfType<TorchSharp.Modules.BatchNorm2d>().Cast<nn.Module>()
            .Concat(_model.modules().OfType<TorchSharp.Modules.BatchNorm1d>()).ToList();
        if (norms.Count == 0 || _train is null) return;
        var momenta = new List<double?>();
        foreach (var norm in norms)
        {
            switch (norm)
            {
                case TorchSharp.Modules.BatchNorm2d b: b.reset_running_stats(); momenta.Add(b.momentum); b.momentum = null; break;
                case TorchSharp.Modules.BatchNorm1d b: b.reset_running_stats(); momenta.Add(b.momentum); b.momentum = null; break;
            }
        }
        bool wasTraining = _model.training;
        _model.train();
        using (no_grad())
            for (int start = 0; start < _train.Count; start += _batchSize)
            {
                using var scope = NewDisposeScope();
                _model.forward(_train.Slice(start, Math.Min(_batchSize, _train.Count - start)));
            }
        _model.train(wasTraining);
        for (int i = 0; i < norms.Count; i++)
        {
            switch (norms[i])
            {
                case TorchSharp.Modules.BatchNorm2d b: b.momentum = momenta[i]; break;
                case TorchSharp.Modules.BatchNorm1d b: b.momentum = momenta[i]; break;
            }
        }
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> SaveTensors() =>
        new Dictionary<string, Tensor>(_average, StringComparer.Ordinal) { [CountName] = _countTensor.fill_(_count) };

    /// <inheritdoc />
    public void RestoreTensors(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Keys.Order(StringComparer.Ordinal).SequenceEqual(_average.Keys.Append(CountName).Order(StringComparer.Ordinal)))
            throw new InvalidDataException("The SWA state does not hold this model's parameters.");
        foreach (var (name, tensor) in _average)
            if (!state[name].shape.SequenceEqual(tensor.shape) || state[name].dtype != tensor.dtype)
                throw new InvalidDataException($"The SWA state of '{name}' has another shape or dtype than the model's.");
        if (state[CountName].dtype != ScalarType.Int64 || state[CountName].numel() != 1 || state[CountName].item<long>() < 0)
            throw new InvalidDataException("The SWA state's count is not a non-negative integer.");
        using (no_grad())
            foreach (var (name, tensor) in _average) tensor.copy_(state[name]);
        _count = state[CountName].item<long>();
    }

    /// <summary>Frees the average.</summary>
    public void Dispose()
    {
        foreach (var tensor in _average.Values.Append(_countTensor)) tensor.Dispose();
        _average.Clear();
    }
}
