namespace OnnxReg.Training.Hooks;

/// <summary>
/// Plugs a technique into the training step, at the points PyTorch Lightning names: after the loss's backward pass
/// (<c>on_after_backward</c>: gradients exist and may be changed), with a loss term of its own after the forward pass, before and after the optimizer's step
/// (<c>on_before_optimizer_step</c>, <c>on_train_batch_end</c>), and at each epoch's start and end. Weight penalties,
/// gradient clipping and max-norm are hooks; a technique's descriptor creates its hooks
/// (<see cref="Techniques.RegularizationTechnique.CreateHooks"/>). Hooks run in the registry's order.
/// </summary>
public interface IStepHook
{
    /// <summary>Hooks with the same key are one hook (several techniques may ask for it, e.g. every weight penalty).</summary>
    string Key { get; }

    /// <summary>Before the first epoch (and before a checkpoint's state is put back), with the training data, which a
    /// hook may read again when training ends (e.g. to recompute BatchNorm statistics for averaged weights).</summary>
    void OnTrainBegin(TensorDataset train) { }

    /// <summary>After the forward pass, before backward: a term to add to the batch's loss (e.g. a penalty on
    /// activations), or null. It is part of the graph that is differentiated, and not of the reported data loss.</summary>
    TorchSharp.torch.Tensor? LossTerm() => null;

    /// <summary>After <c>loss.backward()</c>, before the step: gradients may be changed.</summary>
    void AfterBackward() { }

    /// <summary>Right before <c>optimizer.step()</c>, after every hook's <see cref="AfterBackward"/>.</summary>
    void BeforeOptimizerStep() { }

    /// <summary>After <c>optimizer.step()</c>: the weights have their new values.</summary>
    void AfterOptimizerStep() { }

    /// <summary>Before an epoch's first batch (1-based epoch).</summary>
    void OnEpochStart(int epoch) { }

    /// <summary>After an epoch's last batch, before validation.</summary>
    void OnEpochEnd(int epoch) { }

    /// <summary>When training ends (after the callbacks' end, so after early stopping restored its best weights) or is
    /// interrupted (<paramref name="interrupted"/>: the checkpoint is written, and the model must be left as it is):
    /// undo what the hook attached to the model, or put in the weights it stands for.</summary>
    void OnTrainEnd(bool interrupted) { }
}
