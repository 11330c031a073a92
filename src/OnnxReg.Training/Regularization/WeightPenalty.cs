using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Training.Regularization;

/// <summary>
/// Computes the weight penalty of <see cref="WeightPenaltyOptions"/> for one model as a differentiable tensor.
/// The parameter list and strengths are resolved once, at construction; each call costs two reductions per
/// penalized parameter in libtorch (no per-element managed code).
/// </summary>
public sealed class WeightPenalty
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
