using System.Buffers.Binary;
using Google.Protobuf;
using OnnxReg.Onnx.Proto;

namespace OnnxReg.Onnx;

/// <summary>
/// Builds an ONNX graph node by node: inputs, float initializers, nodes with sorted attributes, outputs. Names
/// are made unique and stable (the same calls always give the same names), so building the same model twice
/// gives byte-identical files.
/// </summary>
public sealed class OnnxGraphBuilder
{
    private readonly GraphProto _graph;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Starts an empty graph called <paramref name="graphName"/>.</summary>
    public OnnxGraphBuilder(string graphName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(graphName);
        _graph = new GraphProto { Name = graphName };
    }

    /// <summary>The number of nodes added so far.</summary>
    public int NodeCount => _graph.Node.Count;

    /// <summary>Returns <paramref name="hint"/> if unused, otherwise <c>hint_1</c>, <c>hint_2</c>…, and reserves it.</summary>
    public string UniqueName(string hint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hint);
        var name = hint;
        for (int suffix = 1; !_names.Add(name); suffix++)
            name = $"{hint}_{suffix}";
        return name;
    }

    /// <summary>Declares a float graph input of the given shape; returns its name.</summary>
    public string AddInput(string name, IReadOnlyList<OnnxDimension> shape)
    {
        var unique = UniqueName(name);
        if (unique != name)
            throw new ArgumentException($"Graph input name '{name}' is already used.", nameof(name));
        _graph.Input.Add(FloatValueInfo(name, shape));
        return name;
    }

    /// <summary>Declares <paramref name="valueName"/> (an existing value) as a float graph output.</summary>
    public void AddOutput(string valueName, IReadOnlyList<OnnxDimension> shape) =>
        _graph.Output.Add(FloatValueInfo(valueName, shape));

    /// <summary>Adds a float tensor constant (stored little-endian in <c>raw_data</c>); returns its unique name.</summary>
    public string AddInitializer(string nameHint, ReadOnlySpan<float> values, IReadOnlyList<long> dims)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        return AddTensor(nameHint, TensorProto.Types.DataType.Float, bytes, values.Length, dims);
    }

    /// <summary>Adds an int64 tensor constant (e.g. a shape for Reshape); returns its unique name.</summary>
    public string AddInt64Initializer(string nameHint, ReadOnlySpan<long> values, IReadOnlyList<long> dims)
    {
        var bytes = new byte[values.Length * sizeof(long)];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
        return AddTensor(nameHint, TensorProto.Types.DataType.Int64, bytes, values.Length, dims);
    }

    private string AddTensor(string nameHint, TensorProto.Types.DataType dataType, byte[] littleEndianBytes, int count, IReadOnlyList<long> dims)
    {
        long expected = dims.Aggregate(1L, (a, d) => a * d);
        if (expected != count)
            throw new ArgumentException($"Initializer '{nameHint}' has {count} values but dims [{string.Join(", ", dims)}] need {expected}.", nameof(dims));
        // The array is this builder's own (made by the caller above and never shared), so it is wrapped, not copied
        // again: a 20M-parameter network's weights were otherwise held three times while it was exported.
        var tensor = new TensorProto { Name = UniqueName(nameHint), DataType = (int)dataType, RawData = UnsafeByteOperations.UnsafeWrap(littleEndianBytes) };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>
    /// Adds a node with one output and returns the output's name. The node is named <paramref name="nodeName"/>
    /// (made unique); its attributes are sorted by name so the encoding does not depend on call order.
    /// </summary>
    public string AddNode(string opType, string nodeName, IReadOnlyList<string> inputs, params AttributeProto[] attributes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        var node = new NodeProto { OpType = opType, Name = UniqueName(nodeName) };
        node.Input.AddRange(inputs);
        node.Output.Add(UniqueName(node.Name + "_output"));
        node.Attribute.AddRange(attributes.OrderBy(a => a.Name, StringComparer.Ordinal));
        _graph.Node.Add(node);
        return node.Output[0];
    }

    /// <summary>
    /// Gives <paramref name="value"/> the name <paramref name="newName"/> (already reserved with
    /// <see cref="UniqueName"/>) and returns it. The value must be the output of the last node; when it is not
    /// produced by a node at all (a graph input), an <c>Identity</c> node is added to produce it.
    /// </summary>
    public string RenameLastOutput(string value, string newName)
    {
        if (_graph.Node.Count > 0 && _graph.Node[^1].Output[0] == value)
        {
            _graph.Node[^1].Output[0] = newName;
            return newName;
        }
        if (_graph.Node.Any(n => n.Output.Contains(value)))
            throw new InvalidOperationException($"Value '{value}' is not the last node's output and cannot be renamed.");
        var node = new NodeProto { OpType = "Identity", Name = UniqueName(newName + ".identity") };
        node.Input.Add(value);
        node.Output.Add(newName);
        _graph.Node.Add(node);
        return newName;
    }

    /// <summary>
    /// Finishes the model: IR version, default-domain opset, producer, and metadata (sorted by key). Runs
    /// <see cref="OnnxModelValidator.Validate"/> so a malformed graph never leaves the builder.
    /// </summary>
    public ModelProto Build(OnnxModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var model = new ModelProto
        {
            IrVersion = info.IrVersion,
            ProducerName = info.ProducerName,
            ProducerVersion = info.ProducerVersion,
            Graph = _graph.Clone(),
        };
        if (!string.IsNullOrEmpty(info.DocString)) model.DocString = info.DocString;
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = info.Opset });
        foreach (var (key, value) in info.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        OnnxModelValidator.Validate(model);
        return model;
    }

    private static ValueInfoProto FloatValueInfo(string name, IReadOnlyList<OnnxDimension> shape)
    {
        var tensorShape = new TensorShapeProto();
        foreach (var dim in shape)
            tensorShape.Dim.Add(dim.Parameter is { } parameter
                ? new TensorShapeProto.Types.Dimension { DimParam = parameter }
                : new TensorShapeProto.Types.Dimension { DimValue = dim.Value!.Value });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape } },
        };
    }
}
