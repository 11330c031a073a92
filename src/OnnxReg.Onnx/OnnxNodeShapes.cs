using System.Buffers.Binary;
using OnnxReg.Onnx.Proto;

namespace OnnxReg.Onnx;

/// <summary>One node of an ONNX graph as <see cref="OnnxNodeShapes"/> lists it.</summary>
/// <param name="Name">The node's name (for OnnxReg's files, the module path it came from, e.g. <c>features.conv1</c>).</param>
/// <param name="OpType">The op, e.g. <c>Conv</c>.</param>
/// <param name="OutputShape">Its first output's shape, -1 for a symbolic dimension (the batch), or null when it could
/// not be worked out (an op this table does not know, or attributes it cannot follow).</param>
/// <param name="Parameters">Scalars in the weights (initializers) it reads.</param>
public sealed record OnnxNodeShape(string Name, string OpType, long[]? OutputShape, long Parameters);

/// <summary>
/// Keras' <c>model.summary()</c> for an ONNX file: every node with its output shape and the weights it reads, worked
/// out from the graph alone (no runtime, nothing executed) for the ops OnnxReg exports and the common elementwise
/// ones. A shape it cannot follow is left unknown, as are those computed from it; nothing in a damaged or hostile
/// file makes it throw or allocate beyond the graph's own size.
/// </summary>
public static class OnnxNodeShapes
{
    private static readonly HashSet<string> ShapePreserving = new(StringComparer.Ordinal)
    {
        "Relu", "LeakyRelu", "Tanh", "Sigmoid", "Erf", "Softmax", "LogSoftmax", "BatchNormalization", "Identity", "Dropout",
        "Elu", "Selu", "HardSigmoid", "Softplus", "Exp", "Log", "Sqrt", "Neg", "Abs", "Clip", "PRelu",
    };

    private static readonly HashSet<string> Broadcasting = new(StringComparer.Ordinal) { "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min" };

    /// <summary>The nodes of <paramref name="model"/> in graph order.</summary>
    public static IReadOnlyList<OnnxNodeShape> Of(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph ?? throw new ArgumentException("The model has no graph.", nameof(model));
        var shapes = new Dictionary<string, long[]?>(StringComparer.Ordinal);
        var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var tensor in graph.Initializer)
        {
            initializers[tensor.Name] = tensor;
            shapes[tensor.Name] = [.. tensor.Dims];
        }
        foreach (var input in graph.Input.Where(i => !initializers.ContainsKey(i.Name)))
            shapes[input.Name] = input.Type?.TensorType?.Shape?.Dim.Select(d => d.HasDimValue ? d.DimValue : -1).ToArray();
        var rows = new List<OnnxNodeShape>(graph.Node.Count);
        foreach (var node in graph.Node)
        {
            long[]? output;
            try
            {
                output = Infer(node, node.Input.Select(i => shapes.GetValueOrDefault(i)).ToArray(), initializers);
            }
            catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException or InvalidOperationException)
            {
                output = null; // attributes that do not fit the inputs: the file is damaged, the table says "unknown"
            }
            foreach (var name in node.Output)
                shapes[name] = output;
            long parameters = node.Input.Distinct().Where(initializers.ContainsKey)
                .Sum(i => initializers[i].Dims.Aggregate(1L, (a, b) => a * Math.Max(0, b)));
            rows.Add(new OnnxNodeShape(node.Name, node.OpType, output, parameters));
        }
        return rows;
    }

    private static long[]? Infer(NodeProto node, long[]?[] inputs, Dictionary<string, TensorProto> initializers)
    {
        if (inputs.Length == 0 || inputs[0] is not { } x) return null;
        if (ShapePreserving.Contains(node.OpType)) return x;
        if (Broadcasting.Contains(node.OpType)) return inputs.Length == 2 && inputs[1] is { } y ? Broadcast(x, y) : null;
        switch (node.OpType)
        {
            case "Conv" when x.Length == 4 && inputs.Length >= 2 && inputs[1] is { Length: 4 } w:
            {
                long[] kernel = Ints(node, "kernel_shape") ?? [w[2], w[3]];
                return Slide(x, kernel, node) is { } convolved ? [x[0], w[0], .. convolved] : null;
            }
            case "MaxPool" or "AveragePool" when x.Length == 4 && Ints(node, "kernel_shape") is { Length: 2 } kernel:
                return Slide(x, kernel, node) is { } pooled ? [x[0], x[1], .. pooled] : null;
            case "GlobalAveragePool" or "GlobalMaxPool" when x.Length == 4:
                return [x[0], x[1], 1, 1];
            case "Flatten":
            {
                long axis = Int(node, "axis") ?? 1;
                if (axis < 0) axis += x.Length;
                return [Product(x[..(int)axis]), Product(x[(int)axis..])];
            }
            case "Gemm" when x.Length == 2 && inputs.Length >= 2 && inputs[1] is { Length: 2 } b:
                return [Int(node, "transA") == 1 ? x[1] : x[0], Int(node, "transB") == 1 ? b[0] : b[1]];
            case "MatMul" when x.Length >= 2 && inputs.Length == 2 && inputs[1] is { Length: 2 } m:
                return [.. x[..^1], m[1]];
            case "Reshape" when inputs.Length == 2 && initializers.TryGetValue(node.Input[1], out var target):
                return Reshape(x, Int64s(target));
            default:
                return null;
        }
    }

    // ⌊(size + pad_begin + pad_end − dilation·(kernel − 1) − 1) / stride⌋ + 1, or ⌈…⌉ with ceil_mode.
    private static long[]? Slide(long[] x, long[] kernel, NodeProto node)
    {
        var autoPad = node.Attribute.FirstOrDefault(a => a.Name == "auto_pad")?.S.ToStringUtf8();
        if (autoPad is { Length: > 0 } and not "NOTSET") return null;
        long[] strides = Ints(node, "strides") ?? [1, 1], dilations = Ints(node, "dilations") ?? [1, 1], pads = Ints(node, "pads") ?? [0, 0, 0, 0];
        bool ceil = Int(node, "ceil_mode") == 1;
        var result = new long[2];
        for (int axis = 0; axis < 2; axis++)
        {
            if (x[axis + 2] < 0) { result[axis] = -1; continue; }
            long span = dilations[axis] * (kernel[axis] - 1) + 1, padded = x[axis + 2] + pads[axis] + pads[axis + 2];
            if (strides[axis] < 1 || span > padded) return null;
            result[axis] = (ceil ? (padded - span + strides[axis] - 1) / strides[axis] : (padded - span) / strides[axis]) + 1;
        }
        return result;
    }

    private static long[]? Broadcast(long[] a, long[] b)
    {
        var result = new long[Math.Max(a.Length, b.Length)];
        for (int i = 1; i <= result.Length; i++)
        {
            long p = i <= a.Length ? a[^i] : 1, q = i <= b.Length ? b[^i] : 1;
            if (p != q && p != 1 && q != 1) return null;
            result[^i] = p == 1 ? q : p;
        }
        return result;
    }

    private static long[]? Reshape(long[] x, long[]? target)
    {
        if (target is null) return null;
        var result = target.Select((d, i) => d == 0 && i < x.Length ? x[i] : d).ToArray();
        int unknown = Array.IndexOf(result, -1L);
        if (unknown >= 0 && x.All(d => d >= 0))
        {
            long known = Product(result.Where((_, i) => i != unknown).ToArray());
            result[unknown] = known == 0 ? 0 : Product(x) / known;
        }
        return result;
    }

    private static long[]? Int64s(TensorProto tensor)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Int64 || tensor.Dims.Count != 1 || tensor.Dims[0] is < 0 or > 8) return null;
        if (!tensor.HasRawData) return tensor.Int64Data.Count == tensor.Dims[0] ? [.. tensor.Int64Data] : null;
        var raw = tensor.RawData.Span;
        if (raw.Length != tensor.Dims[0] * sizeof(long)) return null;
        return Enumerable.Range(0, raw.Length / sizeof(long)).Select(i => BinaryPrimitives.ReadInt64LittleEndian(tensor.RawData.Span[(i * sizeof(long))..])).ToArray();
    }

    private static long[]? Ints(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } attribute ? [.. attribute.Ints] : null;

    private static long? Int(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } attribute ? attribute.I : null;

    // A product with a symbolic dimension is symbolic.
    private static long Product(long[] dims) => dims.Any(d => d < 0) ? -1 : dims.Aggregate(1L, (a, b) => checked(a * b));
}
