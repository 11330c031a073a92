namespace OnnxReg.Training.Models.Layers;

/// <summary>A height and a width; a model file may give one number for both, as PyTorch does.</summary>
public readonly record struct Size2(int Height, int Width)
{
    /// <summary>The same value for height and width.</summary>
    public static Size2 Square(int value) => new(value, value);

    /// <summary>Whether height and width are equal (written back as one number).</summary>
    public bool IsSquare => Height == Width;

    /// <inheritdoc />
    public override string ToString() => IsSquare ? $"{Height}" : $"{Height}x{Width}";
}

/// <summary>
/// One layer of a network described in a model file (<see cref="NetworkSpec"/>). The vocabulary is PyTorch's: the
/// types are <c>torch.nn</c>'s module names in lower case and the options its argument names, so
/// <c>{"type": "conv2d", "out_channels": 32, "kernel_size": 3, "padding": 1}</c> reads as
/// <c>nn.Conv2d(in, 32, kernel_size=3, padding=1)</c>. Input sizes (<c>in_channels</c>, <c>in_features</c>) are
/// inferred from the layer before, as Keras does, and checked when given.
/// </summary>
public abstract record LayerSpec
{
    /// <summary>The layer's name in its sequence (its state-dict name): given in the file, or its type's prefix and
    /// a number counted per sequence (<c>conv1</c>, <c>bn2</c>, <c>fc3</c>…), assigned when the file is read.</summary>
    public string Name { get; init; } = "";

    /// <summary>The model file's <c>type</c> of this layer.</summary>
    public abstract string Type { get; }
}

/// <summary><c>conv2d</c>: <c>torch.nn.Conv2d</c> with zero padding (the only mode ONNX export supports).</summary>
/// <param name="InChannels">Checked against the input when given.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="KernelSize">Kernel height and width.</param>
/// <param name="Stride">Stride (default 1).</param>
/// <param name="Padding">Zero padding on each side (default 0); ignored when <paramref name="PaddingMode"/> is set.</param>
/// <param name="PaddingMode"><c>same</c> (output size = input size; stride 1 only) or <c>valid</c> (no padding), or null for <paramref name="Padding"/>.</param>
/// <param name="Dilation">Dilation (default 1).</param>
/// <param name="Groups">Groups (default 1); divides both channel counts.</param>
/// <param name="Bias">Whether the layer has a bias (default true; false before a batch norm).</param>
public sealed record Conv2dSpec(int? InChannels, int OutChannels, Size2 KernelSize, Size2 Stride, Size2 Padding, string? PaddingMode, Size2 Dilation, int Groups, bool Bias) : LayerSpec
{
    /// <inheritdoc />
    public override string Type => "conv2d";
}

/// <summary><c>linear</c>: <c>torch.nn.Linear</c> on a flat input.</summary>
/// <param name="InFeatures">Checked against the input when given.</param>
/// <param name="OutFeatures">Output features; may be left out on the network's last layer, which then has one per class.</param>
/// <param name="Bias">Whether the layer has a bias (default true).</param>
public sealed record LinearSpec(int? InFeatures, int? OutFeatures, bool Bias) : LayerSpec
{
    /// <inheritdoc />
    public override string Type => "linear";
}

/// <summary><c>batchnorm</c> (1-d or 2-d from its input), <c>batchnorm1d</c> or <c>batchnorm2d</c>.</summary>
/// <param name="Dimensions">1 or 2 when the type names it, null to follow the input (flat: 1, images: 2).</param>
/// <param name="NumFeatures">Checked against the input's features or channels when given.</param>
/// <param name="Eps">Added to the variance (default 1e-5).</param>
/// <param name="Momentum">Running-statistics momentum (default 0.1).</param>
public sealed record BatchNormSpec(int? Dimensions, int? NumFeatures, double Eps, double Momentum) : LayerSpec
{
    /// <inheritdoc />
    public override string Type => Dimensions switch { 1 => "batchnorm1d", 2 => "batchnorm2d", _ => "batchnorm" };
}

/// <summary>An activation: <c>relu</c>, <c>leakyrelu</c>, <c>tanh</c>, <c>sigmoid</c>, <c>silu</c>, <c>gelu</c>,
/// <c>softmax</c> or <c>logsoftmax</c> (never the last layer: the loss takes logits).</summary>
/// <param name="Kind">The type.</param>
/// <param name="NegativeSlope">LeakyReLU's slope (default 0.01).</param>
/// <param name="Approximate">GELU: <c>none</c> (erf, default) or <c>tanh</c>.</param>
/// <param name="Dim">Softmax and LogSoftmax: the dimension, counting the batch as 0 as PyTorch does (default 1).</param>
public sealed record ActivationSpec(string Kind, double NegativeSlope = 0.01, string Approximate = "none", int Dim = 1) : LayerSpec
{
    /// <summary>The activation types a model file accepts.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["relu", "leakyrelu", "tanh", "sigmoid", "silu", "gelu", "softmax", "logsoftmax"];

    /// <inheritdoc />
    public override string Type => Kind;
}

/// <summary><c>maxpool2d</c> or <c>avgpool2d</c>.</summary>
/// <param name="Average">Average pooling (else max).</param>
/// <param name="KernelSize">Window height and width.</param>
/// <param name="Stride">Stride (default: the kernel size).</param>
/// <param name="Padding">Padding on each side (default 0; at most half the kernel).</param>
/// <param name="CountIncludePad">Average pooling: whether padded zeros count in the mean (default true, as PyTorch).</param>
public sealed record Pool2dSpec(bool Average, Size2 KernelSize, Size2 Stride, Size2 Padding, bool CountIncludePad = true) : LayerSpec
{
    /// <inheritdoc />
    public override string Type => Average ? "avgpool2d" : "maxpool2d";
}

/// <summary><c>adaptiveavgpool2d</c>: an output of <paramref name="OutputSize"/> (1 is global average pooling); the
/// input must divide evenly into it, which is what ONNX can express.</summary>
public sealed record AdaptiveAvgPool2dSpec(Size2 OutputSize) : LayerSpec
{
    /// <inheritdoc />
    public override string Type => "adaptiveavgpool2d";
}

/// <summary><c>flatten</c>: everything but the batch dimension into one.</summary>
public sealed record FlattenSpec : LayerSpec
{
    /// <inheritdoc />
    public override string Type => "flatten";
}

/// <summary><c>dropout</c> (elementwise) or <c>dropout2d</c> (whole channels of an image): identity at inference,
/// so the exported model has no node for it. <c>--dropout</c> and <c>--spatial-dropout</c> override the rates.</summary>
/// <param name="Spatial">Dropout2d.</param>
/// <param name="P">The rate (default 0.5, as PyTorch).</param>
public sealed record DropoutSpec(bool Spatial, double P) : LayerSpec
{
    /// <inheritdoc />
    public override string Type => Spatial ? "dropout2d" : "dropout";
}

/// <summary><c>residual</c>: <c>body(x) + shortcut(x)</c>, the shortcut being the identity when left out; both must
/// give the same shape. Put the activation after it, as ResNet does.</summary>
public sealed record ResidualSpec(IReadOnlyList<LayerSpec> Body, IReadOnlyList<LayerSpec>? Shortcut) : LayerSpec
{
    /// <inheritdoc />
    public override string Type => "residual";
}

/// <summary><c>sequential</c>: a named group of layers (<c>features</c>, <c>classifier</c>…), nested as deep as needed.</summary>
public sealed record SequentialSpec(IReadOnlyList<LayerSpec> Layers) : LayerSpec
{
    /// <inheritdoc />
    public override string Type => "sequential";
}
