using static TorchSharp.torch;

namespace OnnxReg.Training.Hooks;

/// <summary>Scales all gradients so that their global L2 norm is at most a limit, after backward (PyTorch's
/// <c>clip_grad_norm_</c>); after the penalty's gradients, which are part of what is clipped.</summary>
public sealed class GradientClipping(nn.Module model, double maxNorm) : IStepHook
{
    /// <inheritdoc />
    public string Key => "clip-grad-norm";

    /// <summary>The norm limit.</summary>
    public double MaxNorm { get; } = maxNorm;

    /// <inheritdoc />
    public void AfterBackward() => nn.utils.clip_grad_norm_(model.parameters(), MaxNorm);
}
