using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Training.Hooks;

/// <summary>
/// Keras' activity regularization (<c>activity_regularizer=l1(λ)</c>, as in sparse autoencoders): adds λ·Σ|a| / N to
/// each training batch's loss, where a are the features the classifier's last Linear layer reads (the penultimate
/// representation) and N the batch size. They are captured by a forward hook on that layer, which is removed when
/// training ends, so nothing of it is exported.
/// </summary>
public sealed class ActivityPenalty : IStepHook
{
    private readonly double _strength;
    private TorchSharp.torch.nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover? _remover;
    private Tensor? _features;

    /// <summary>Attaches to the last Linear layer of <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">The model has no Linear layer.</exception>
    public ActivityPenalty(nn.Module model, double strength)
    {
        ArgumentNullException.ThrowIfNull(model);
        _strength = strength;
        var classifier = model.modules().OfType<Linear>().LastOrDefault()
            ?? throw new ArgumentException("activity-l1 penalizes the features the last Linear layer reads, and the model has no Linear layer.", nameof(model));
        // A handle of its own on the same values and graph: Sequential disposes its intermediate results' handles.
        _remover = classifier.register_forward_pre_hook((_, input) =>
        {
            _features = input.alias();
            return input;
        });
    }

    /// <inheritdoc />
    public string Key => "activity-l1";

    /// <inheritdoc />
    public Tensor? LossTerm() => _features is { } a ? a.abs().sum().mul(_strength / a.shape[0]) : null;

    /// <inheritdoc />
    public void AfterBackward() => _features = null; // freed with the batch

    /// <inheritdoc />
    public void OnTrainEnd(bool interrupted)
    {
        _remover?.remove();
        _remover = null;
        _features = null;
    }
}
