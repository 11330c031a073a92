using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Training.Regularization;

/// <summary>
/// The weight penalty of <see cref="WeightPenaltyOptions"/> for one model. The trainer does not differentiate it: after
/// the data loss's backward pass, <see cref="AddGradients"/> adds its exact gradient, λ₁·sign(w) + 2λ₂·w, to each
/// penalized parameter's gradient in place (two or three kernels per parameter instead of a forward and backward graph
/// of six), and <see cref="Value"/> reports its size with one reduction per strength. <see cref="Compute"/> is the
/// same penalty as a differentiable tensor, the reference the fused form is tested against. The parameter list and
/// strengths are resolved once, at construction.
/// </summary>
public sealed class WeightPenalty : Hooks.IStepHook
{
    private readonly List<(string Name, Parameter Parameter, double L1, double L2)> _terms = [];

    /// <summary>Resolves which parameters of <paramref name="model"/> are penalized and how strongly.</summary>
    /// <exception cref="ArgumentException">A per-layer override names a layer the model does not have.</exception>
    public WeightPenalty(nn.Module model, WeightPenaltyOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var layers = options.Layers ?? new Dictionary<string, LayerPenalty>();
        var found = new HashSet<string>();
        foreach (var (path, module) in model.named_modules())
        {
            var (l1, l2) = layers.TryGetValue(path, out var layer) ? (layer.L1, layer.L2) : (options.L1, options.L2);
            if (layers.ContainsKey(path)) found.Add(path);
            foreach (var (name, parameter, isWeight) in PenalizableParameters(module, options))
                if ((l1 > 0 || l2 > 0) && (isWeight || options.IncludeBiases || module is BatchNorm))
                    _terms.Add(($"{path}.{name}", parameter, l1, l2));
        }
        var unknown = layers.Keys.Where(k => !found.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            var names = model.named_modules().Where(m => m.module is Linear or Conv2d or BatchNorm).Select(m => m.name);
            throw new ArgumentException($"Per-layer penalty names '{string.Join("', '", unknown)}', which the model does not have. Layers with weights: {string.Join(", ", names)}.");
        }
    }

    /// <summary>The penalized parameters with their strengths (names are module paths plus <c>.weight</c>/<c>.bias</c>).</summary>
    public IReadOnlyList<(string Name, double L1, double L2)> Terms => _terms.Select(t => (t.Name, t.L1, t.L2)).ToList();

    /// <summary>True if anything is penalized.</summary>
    public bool IsActive => _terms.Count > 0;

    /// <summary>The penalty <c>Σ λ₁·Σ|w| + λ₂·Σw²</c> over the penalized parameters, as a scalar tensor in the autograd graph.</summary>
    public Tensor Compute()
    {
        Tensor? total = null;
        foreach (var (_, parameter, l1, l2) in _terms)
        {
            if (l1 > 0) total = Add(total, parameter.abs().sum().mul(l1));
            if (l2 > 0) total = Add(total, parameter.square().sum().mul(l2));
        }
        return total ?? zeros(1).squeeze();
    }

    /// <summary>The penalty's value, <c>Σ λ₁·‖w‖₁ + λ₂·‖w‖₂²</c>, outside the autograd graph (one reduction per
    /// strength and parameter; the rest is arithmetic on doubles).</summary>
    public double Value()
    {
        using var noGrad = no_grad();
        double total = 0;
        foreach (var (_, parameter, l1, l2) in _terms)
        {
            if (l1 > 0)
            {
                using var norm = linalg.vector_norm(parameter, 1);
                total += l1 * norm.ToDouble();
            }
            if (l2 > 0)
            {
                using var norm = linalg.vector_norm(parameter, 2);
                double value = norm.ToDouble();
                total += l2 * value * value;
            }
        }
        return total;
    }

    /// <inheritdoc />
    public string Key => "penalty";

    /// <inheritdoc />
    public void AfterBackward() => AddGradients();

    /// <summary>The penalty hook of <paramref name="options"/> for <paramref name="model"/>, or null when no term is
    /// active. Built whenever layers are named, so a misspelt layer fails before training even if its strengths are zero.</summary>
    public static WeightPenalty? For(nn.Module model, WeightPenaltyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var penalty = options.IsActive || options.Layers is { Count: > 0 } ? new WeightPenalty(model, options) : null;
        return penalty is { IsActive: true } ? penalty : null;
    }

    /// <summary>
    /// Adds the penalty's gradient to each penalized parameter's gradient in place: λ₁·sign(w) (0 at w = 0, as autograd's
    /// |w| gives) plus 2λ₂·w. Call it after the data loss's <c>backward()</c> and before clipping and the optimizer step;
    /// the result equals backpropagating <see cref="Compute"/> with the loss.
    /// </summary>
    public void AddGradients()
    {
        using var noGrad = no_grad();
        foreach (var (_, parameter, l1, l2) in _terms)
        {
            var gradient = parameter.grad;
            if (gradient is null) continue; // a parameter the loss did not reach has no gradient to add to
            // Explicit scalars, disposed here: an implicit one is freed by the finalizer, possibly while libtorch reads it.
            if (l1 > 0)
            {
                using var sign = parameter.sign();
                using var factor = l1.ToScalar();
                gradient.add_(sign, alpha: factor);
            }
            if (l2 > 0)
            {
                using var factor = (2 * l2).ToScalar();
                gradient.add_(parameter, alpha: factor);
            }
        }
    }

    private static Tensor Add(Tensor? total, Tensor term) => total is null ? term : total.add(term);

    // Linear and Conv2d weights (and biases); BatchNorm scale and shift only when normalization is included.
    private static IEnumerable<(string Name, Parameter Parameter, bool IsWeight)> PenalizableParameters(nn.Module module, WeightPenaltyOptions options)
    {
        switch (module)
        {
            case Linear linear:
                yield return ("weight", linear.weight!, true);
                if (linear.bias is { } linearBias) yield return ("bias", linearBias, false);
                break;
            case Conv2d conv:
                yield return ("weight", conv.weight!, true);
                if (conv.bias is { } convBias) yield return ("bias", convBias, false);
                break;
            case BatchNorm norm when options.IncludeNormalization:
                if (norm.weight is { } scale) yield return ("weight", scale, false);
                if (norm.bias is { } shift) yield return ("bias", shift, false);
                break;
        }
    }
}
