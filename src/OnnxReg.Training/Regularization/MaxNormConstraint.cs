using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Training.Regularization;

/// <summary>
/// After each optimizer step, rescales every weight row of Linear layers (the weights into one output unit) and
/// every filter of Conv2d layers whose L2 norm exceeds <see cref="MaxNorm"/> back to that norm — Keras'
/// <c>MaxNorm</c> constraint, as used with dropout by Srivastava et al. (2014).
/// </summary>
public sealed class MaxNormConstraint : Hooks.IStepHook
{
    private readonly List<Parameter> _weights;

    /// <summary>Collects the Linear and Conv2d weights of <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not positive.</exception>
    public MaxNormConstraint(nn.Module model, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(maxNorm > 0) || !double.IsFinite(maxNorm))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, $"Max-norm must be positive. Received: MaxNorm={maxNorm}.");
        MaxNorm = maxNorm;
        _weights = model.modules().Select(m => m switch { Linear l => l.weight, Conv2d c => c.weight, _ => null }).OfType<Parameter>().ToList();
    }

    /// <summary>The largest L2 norm a row or filter may have.</summary>
    public double MaxNorm { get; }

    /// <inheritdoc />
    public string Key => "max-norm";

    /// <inheritdoc />
    public void AfterOptimizerStep() => Apply();

    /// <summary>Applies the constraint in place.</summary>
    public void Apply()
    {
        using var noGrad = no_grad();
        foreach (var weight in _weights)
        {
            using var scope = NewDisposeScope();
            weight.copy_(weight.renorm(2, 0, (float)MaxNorm));
        }
    }
}
