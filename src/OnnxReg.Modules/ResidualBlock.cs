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

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var residual = body.forward(input);
        return shortcut is null ? residual.add(input) : residual.add(shortcut.forward(input));
    }
}
