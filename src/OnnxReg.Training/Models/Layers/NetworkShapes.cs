namespace OnnxReg.Training.Models.Layers;

/// <summary>One layer of <see cref="NetworkShapes"/>: its path, what it outputs per sample, what it holds.</summary>
/// <param name="Path">The layer's path in the network (<c>block1.body.conv2</c>), as in the state dict.</param>
/// <param name="Type">The model file's type.</param>
/// <param name="OutputShape">Its output for one sample (no batch dimension).</param>
/// <param name="Parameters">Its trainable scalars (its children's included).</param>
public sealed record LayerShape(string Path, string Type, long[] OutputShape, long Parameters);

/// <summary>
/// What a model file's network does to an input, worked out from the file alone before anything is built: every
/// layer's output shape (PyTorch's formulas), its parameters, and the activations one sample stores for
/// backpropagation — so a layer that does not fit the one before fails in milliseconds with a message naming it and
/// the two shapes, and the network's cost is checked against the budget (<see cref="ModelBudget"/>) before libtorch
/// allocates anything. Layers ONNX cannot express (a softmax over the batch, an uneven adaptive pooling) fail here too,
/// so a network that trains also exports.
/// </summary>
public sealed class NetworkShapes
{
    private readonly List<LayerShape> _layers = [];
    private readonly int _classes;
    private long _activations;

    private NetworkShapes(int classes) => _classes = classes;

    /// <summary>Each layer in the order it runs (containers after their children).</summary>
    public IReadOnlyList<LayerShape> Layers => _layers;

    /// <summary>The network's output per sample: [classes].</summary>
    public long[] OutputShape { get; private set; } = [];

    /// <summary>Trainable parameters of the whole network.</summary>
    public long Parameters { get; private set; }

    /// <summary>Values stored per sample for backpropagation (the outputs of every layer, the input included).</summary>
    public long ActivationsPerSample => _activations;

    /// <summary>Works out <paramref name="network"/> on inputs of [<paramref name="channels"/>, <paramref name="height"/>,
    /// <paramref name="width"/>] for <paramref name="classes"/> classes.</summary>
    /// <exception cref="ArgumentException">A layer does not fit its input, or the network does not end in one output
    /// per class; the message names the layer and the shapes.</exception>
    public static NetworkShapes Infer(NetworkSpec network, int channels, int height, int width, int classes)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (channels < 1 || height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(channels), $"Input shape must be positive; received [{channels}, {height}, {width}].");
        var shapes = new NetworkShapes(classes);
        long[] input = [channels, height, width];
        shapes._activations = Count(input);
        var output = shapes.Sequence(network.Layers, "", input, final: true, out long parameters);
        if (output.Length != 1)
            throw new ArgumentException(
                $"The network ends in {Show(output)} per image; a classifier ends in [classes]: add {{\"type\": \"flatten\"}} and a {{\"type\": \"linear\"}} layer.");
        if (output[0] != classes)
            throw new ArgumentException(
                $"The network ends in {Show(output)} per image but the data have {classes} classes; set the last linear layer's out_features to {classes}, or leave it out to get one output per class.");
        if (FinalLayer(network.Layers) is ActivationSpec { Kind: "softmax" or "logsoftmax" } last)
            throw new ArgumentException(
                $"Layer '{last.Name}' ({last.Type}) is the network's last: the loss takes logits and applies the softmax itself; remove it (export with --softmax for probabilities).");
        shapes.OutputShape = output;
        shapes.Parameters = parameters;
        return shapes;
    }

    private long[] Sequence(IReadOnlyList<LayerSpec> layers, string path, long[] input, bool final, out long parameters)
    {
        parameters = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            input = Layer(layers[i], Join(path, layers[i].Name), input, final && i == layers.Count - 1, out long own);
            parameters = Add(parameters, own);
        }
        return input;
    }

    private long[] Layer(LayerSpec layer, string path, long[] input, bool final, out long parameters)
    {
        string at = $"Layer '{path}' ({layer.Type})";
        parameters = 0;
        long[] output;
        switch (layer)
        {
            case Conv2dSpec conv:
            {
                long c = RequireImage(at, input, "a flatten turns images into vectors, so convolutions go before it");
                if (conv.InChannels is int declared && declared != c)
                    throw new ArgumentException($"{at} has in_channels {declared} but its input is {Show(input)} ({c} channels); set in_channels to {c} or leave it out.");
                if (c % conv.Groups != 0 || conv.OutChannels % conv.Groups != 0)
                    throw new ArgumentException($"{at} has groups {conv.Groups}, which must divide both its {c} input channels and its {conv.OutChannels} out_channels.");
                long h, w;
                if (conv.PaddingMode == "same")
                {
                    if (conv.Stride != Size2.Square(1))
                        throw new ArgumentException($"{at} has padding \"same\" with stride {conv.Stride}; PyTorch allows \"same\" only with stride 1: give padding as a number.");
                    (h, w) = (input[1], input[2]);
                }
                else
                {
                    var padding = conv.PaddingMode == "valid" ? Size2.Square(0) : conv.Padding;
                    h = Slide(at, input, 1, conv.KernelSize.Height, conv.Stride.Height, padding.Height, conv.Dilation.Height);
                    w = Slide(at, input, 2, conv.KernelSize.Width, conv.Stride.Width, padding.Width, conv.Dilation.Width);
                }
                output = [conv.OutChannels, h, w];
                parameters = Add(Multiply(Multiply(conv.OutChannels, c / conv.Groups), (long)conv.KernelSize.Height * conv.KernelSize.Width), conv.Bias ? conv.OutChannels : 0);
                break;
            }
            case LinearSpec linear:
            {
                if (input.Length != 1)
                    throw new ArgumentException($"{at} needs a flat input [features] but its input is {Show(input)}: put {{\"type\": \"flatten\"}} before it.");
                if (linear.InFeatures is int declared && declared != input[0])
                    throw new ArgumentException($"{at} has in_features {declared} but its input is {Show(input)}; set in_features to {input[0]} or leave it out.");
                long outFeatures = linear.OutFeatures ?? (final ? _classes
                    : throw new ArgumentException($"{at} needs out_features; only the network's last layer may leave it out (to get one output per class)."));
                output = [outFeatures];
                parameters = Add(Multiply(input[0], outFeatures), linear.Bias ? outFeatures : 0);
                break;
            }
            case BatchNormSpec norm:
            {
                int dimensions = norm.Dimensions ?? (input.Length == 1 ? 1 : 2);
                if (dimensions == 1 ? input.Length != 1 : input.Length != 3)
                    throw new ArgumentException(dimensions == 1
                        ? $"{at} normalizes flat features but its input is {Show(input)}; use batchnorm2d (or batchnorm) for images."
                        : $"{at} normalizes image channels but its input is {Show(input)}; use batchnorm1d (or batchnorm) for flat features.");
                if (norm.NumFeatures is int declared && declared != input[0])
                    throw new ArgumentException($"{at} has num_features {declared} but its input is {Show(input)}; set num_features to {input[0]} or leave it out.");
                output = input;
                parameters = 2 * input[0];
                break;
            }
            case ActivationSpec { Kind: "softmax" or "logsoftmax" } softmax:
            {
                int rank = input.Length + 1;
                if (softmax.Dim < -rank || softmax.Dim >= rank)
                    throw new ArgumentException($"{at} has dim {softmax.Dim}, outside the {rank} dimensions of its input [N, {string.Join(", ", input)}].");
                if (softmax.Dim == 0 || softmax.Dim == -rank)
                    throw new ArgumentException($"{at} has dim {softmax.Dim}, the batch: a softmax over the batch mixes images and cannot be exported; use dim 1.");
                output = input;
                break;
            }
            case Pool2dSpec pool:
            {
                RequireImage(at, input, "pool before the flatten");
                if (pool.Padding.Height * 2 > pool.KernelSize.Height || pool.Padding.Width * 2 > pool.KernelSize.Width)
                    throw new ArgumentException($"{at} has padding {pool.Padding} with kernel_size {pool.KernelSize}; PyTorch allows at most half the kernel.");
                output = [input[0],
                    Slide(at, input, 1, pool.KernelSize.Height, pool.Stride.Height, pool.Padding.Height, 1),
                    Slide(at, input, 2, pool.KernelSize.Width, pool.Stride.Width, pool.Padding.Width, 1)];
                break;
            }
            case AdaptiveAvgPool2dSpec adaptive:
            {
                RequireImage(at, input, "pool before the flatten");
                var size = adaptive.OutputSize;
                if (size != Size2.Square(1) && (size.Height > input[1] || size.Width > input[2] || input[1] % size.Height != 0 || input[2] % size.Width != 0))
                    throw new ArgumentException($"{at} maps {input[1]}x{input[2]} to {size.Height}x{size.Width}; ONNX can express only output_size 1 or sizes that divide the input evenly.");
                output = [input[0], size.Height, size.Width];
                break;
            }
            case FlattenSpec:
                output = [input.Aggregate(1L, Multiply)];
                break;
            case DropoutSpec { Spatial: true }:
                RequireImage(at, input, "use dropout for flat features");
                output = input;
                break;
            case ResidualSpec block:
            {
                var body = Sequence(block.Body, Join(path, "body"), input, final: false, out long bodyParameters);
                long shortcutParameters = 0;
                var shortcut = block.Shortcut is { } projection ? Sequence(projection, Join(path, "shortcut"), input, final: false, out shortcutParameters) : input;
                if (!body.AsSpan().SequenceEqual(shortcut))
                    throw new ArgumentException(block.Shortcut is null
                        ? $"{at} adds its body's output {Show(body)} to its input {Show(input)}, and they differ: make the body keep the shape, or give the block a \"shortcut\" that maps {Show(input)} to {Show(body)} (e.g. a 1x1 conv2d)."
                        : $"{at} adds its body's output {Show(body)} to its shortcut's {Show(shortcut)}; they must be equal.");
                output = body;
                parameters = Add(bodyParameters, shortcutParameters);
                break;
            }
            case SequentialSpec sequence:
                output = Sequence(sequence.Layers, path, input, final, out parameters);
                break;
            default: // the other activations and elementwise dropout keep the shape
                output = input;
                break;
        }
        if (layer is not SequentialSpec)
            _activations = Add(_activations, layer is ResidualSpec ? Count(output) : Multiply(Count(output), layer is DropoutSpec ? 2 : 1));
        _layers.Add(new LayerShape(path, layer.Type, output, parameters));
        return output;
    }

    private static long RequireImage(string at, long[] input, string advice)
    {
        if (input.Length != 3)
            throw new ArgumentException($"{at} needs an image input [channels, height, width] but its input is {Show(input)}; {advice}.");
        return input[0];
    }

    // PyTorch's output size of a sliding window: ⌊(size + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1.
    private static long Slide(string at, long[] input, int axis, long kernel, long stride, long padding, long dilation)
    {
        long span = dilation * (kernel - 1) + 1, padded = input[axis] + 2 * padding;
        if (span > padded)
            throw new ArgumentException(
                $"{at} has a {(axis == 1 ? "height" : "width")} window of {span} (kernel {kernel}, dilation {dilation}) but its input {Show(input)} is {padded} {(axis == 1 ? "high" : "wide")} with padding; use a smaller kernel or fewer poolings before it.");
        return (padded - span) / stride + 1;
    }

    private static LayerSpec FinalLayer(IReadOnlyList<LayerSpec> layers) => layers[^1] is SequentialSpec sequence ? FinalLayer(sequence.Layers) : layers[^1];

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>A per-sample shape as [C, H, W].</summary>
    internal static string Show(long[] shape) => $"[{string.Join(", ", shape)}]";

    private static long Count(long[] shape) => shape.Aggregate(1L, Multiply);

    private static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private static long Multiply(long a, long b) => a != 0 && b > long.MaxValue / a ? long.MaxValue : a * b;
}
