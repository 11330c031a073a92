using OnnxReg.Onnx.Proto;

namespace OnnxReg.Onnx;

/// <summary>
/// Structural checks an exporter runs before writing: the model declares an IR version and opset; every name
/// is non-empty; each value is produced once; every node input is a graph input, an initializer or an earlier
/// node's output (the graph is topologically sorted); float initializers hold exactly as many values as their
/// dims; and every graph output is produced.
/// </summary>
public static class OnnxModelValidator
{
    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first problem found.</summary>
    public static void Validate(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.HasIrVersion || model.IrVersion < 3)
            throw Fail($"the model declares IR version {model.IrVersion}; it must declare 3 or later");
        if (model.OpsetImport.Count == 0 || model.OpsetImport.All(o => o.Domain != ""))
            throw Fail("the model declares no default-domain (ai.onnx) opset");
        var graph = model.Graph ?? throw Fail("the model has no graph");

        var defined = new HashSet<string>(StringComparer.Ordinal);
        void Define(string name, string what)
        {
            if (string.IsNullOrEmpty(name)) throw Fail($"{what} has an empty name");
            if (!defined.Add(name)) throw Fail($"{what} '{name}' is defined more than once");
        }

        foreach (var input in graph.Input)
        {
            Define(input.Name, "a graph input");
            if (input.Type?.TensorType is null) throw Fail($"graph input '{input.Name}' has no tensor type");
        }
        foreach (var initializer in graph.Initializer)
        {
            if (defined.Contains(initializer.Name) && graph.Input.Any(i => i.Name == initializer.Name))
                continue; // an initializer may also be listed as an input (IR < 4 style)
            Define(initializer.Name, "an initializer");
            CheckInitializerSize(initializer);
        }
        var nodeNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            if (string.IsNullOrEmpty(node.OpType)) throw Fail($"node '{node.Name}' has no op type");
            if (string.IsNullOrEmpty(node.Name) || !nodeNames.Add(node.Name))
                throw Fail($"a {node.OpType} node has an empty or repeated name '{node.Name}'");
            foreach (var input in node.Input)
                if (input.Length > 0 && !defined.Contains(input))
                    throw Fail($"node '{node.Name}' ({node.OpType}) reads '{input}' before anything defines it");
            foreach (var output in node.Output)
                Define(output, $"output of node '{node.Name}'");
        }
        if (graph.Output.Count == 0) throw Fail("the graph has no output");
        foreach (var output in graph.Output)
            if (!defined.Contains(output.Name))
                throw Fail($"graph output '{output.Name}' is not produced by any node");
    }

    private static void CheckInitializerSize(TensorProto tensor)
    {
        long count = tensor.Dims.Aggregate(1L, (a, d) => a * d);
        int elementSize = tensor.DataType switch
        {
            (int)TensorProto.Types.DataType.Float => 4,
            (int)TensorProto.Types.DataType.Int64 => 8,
            _ => 0,
        };
        if (elementSize == 0) return;
        long actual = tensor.HasRawData ? tensor.RawData.Length / elementSize
            : tensor.DataType == (int)TensorProto.Types.DataType.Float ? tensor.FloatData.Count : tensor.Int64Data.Count;
        if (actual != count)
            throw Fail($"initializer '{tensor.Name}' holds {actual} values but its dims [{string.Join(", ", tensor.Dims)}] declare {count}");
    }

    private static InvalidOperationException Fail(string problem) => new($"Invalid ONNX model: {problem}.");
}
