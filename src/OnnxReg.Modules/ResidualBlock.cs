using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Modules;

/// <summary>
/// A residual connection: <c>body(x) + shortcut(x)</c>, with the identity as shortcut unless a projection (e.g. a
/// strided 1×1 convolution) is given for when the body changes the shape. Put the activation after the block in
/// the enclosing Sequential, as ResNet does. The exporter writes it as the body, the shortcut and one <c>Add</c>.
/// </summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    // Field names are the state_dict names: body.*, shortcut.*
    private readonly Sequential body;
    private readonly Sequential? shortcut;

    /// <summary>Creates the block; it owns <paramref name="body"/> and <paramref name="shortcut"/>.</summary>
    public ResidualBlock(Sequential body, Sequential? shortcut = null) : base(nameof(ResidualBlock))
    {
        this.body = body ?? throw new ArgumentNullException(nameof(body));
        this.shortcut = shortcut;
        RegisterComponents();
    }

    /// <summary>The residual branch f in x + f(x).</summary>
    public Sequential Body => body;

    /// <summary>The projection applied to x, or null for the identity.</summary>
    public Sequential? Shortcut => shortcut;

    /// <summary>
    /// Stochastic depth (Huang et al., 2016; timm's <c>DropPath</c>): while training, each sample's residual branch is
    /// dropped with this probability and kept ones are scaled by 1/(1 − p), so the expected output is unchanged; in
    /// evaluation (and so in the exported graph) the block is exactly <c>shortcut(x) + body(x)</c>. 0 turns it off.
    /// The draws come from libtorch's global generator, which training seeds and checkpoints.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not in [0, 1).</exception>
    public double DropPathRate
    {
        get => _dropPathRate;
        set => _dropPathRate = value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The drop-path rate must be in [0, 1).");
    }

    private double _dropPathRate;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var residual = body.forward(input);
        if (training && _dropPathRate > 0)
        {
            double keep = 1 - _dropPathRate;
            using var draws = rand([residual.shape[0], .. Enumerable.Repeat(1L, (int)residual.dim() - 1)], dtype: residual.dtype, device: residual.device);
            using var mask = draws.lt(keep).to_type(residual.dtype).div_(keep);
            residual = residual.mul(mask);
        }
        return shortcut is null ? residual.add(input) : residual.add(shortcut.forward(input));
    }
}
