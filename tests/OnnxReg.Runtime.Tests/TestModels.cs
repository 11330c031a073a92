using OnnxReg.Data;
using OnnxReg.Onnx;
using OnnxReg.Onnx.Proto;

namespace OnnxReg.Runtime.Tests;

/// <summary>Hand-written ONNX models (no TorchSharp here), so the runtime is tested against known answers.</summary>
public static class TestModels
{
    /// <summary>logits = x · Wᵀ + b for 2-value inputs and 2 classes, with class names and identity normalization metadata.</summary>
    public static string WriteLinear(string folder, float[] weight, float[] bias, int? fixedBatch = null, string? normalizationJson = "{\"mean\":0,\"std\":1}",
        bool softmax = false)
    {
        var builder = new OnnxGraphBuilder("test");
        var batch = fixedBatch is int b ? OnnxDimension.Fixed(b) : OnnxDimension.Symbolic("N");
        var input = builder.AddInput("input", [batch, OnnxDimension.Fixed(1), OnnxDimension.Fixed(1), OnnxDimension.Fixed(2)]);
        var flat = builder.AddNode("Flatten", "flatten", [input], OnnxAttribute.Int("axis", 1));
        var w = builder.AddInitializer("w", weight, [2, 2]);
        var bi = builder.AddInitializer("b", bias, [2]);
        var output = builder.AddNode("Gemm", "fc", [flat, w, bi], OnnxAttribute.Int("transB", 1));
        if (softmax) output = builder.AddNode("Softmax", "softmax", [output], OnnxAttribute.Int("axis", 1));
        builder.AddOutput(output, [batch, OnnxDimension.Fixed(2)]);
        var metadata = new Dictionary<string, string> { [ModelMetadataKeys.ClassNames] = "[\"left\",\"right\"]" };
        if (normalizationJson is not null) metadata[ModelMetadataKeys.Normalization] = normalizationJson;
        if (softmax) metadata[ModelMetadataKeys.OutputKind] = "probabilities";
        var model = builder.Build(new OnnxModelInfo(8, 13, "test", "1", metadata));
        var path = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".onnx");
        File.WriteAllBytes(path, OnnxModelSerializer.ToBytes(model));
        return path;
    }

    /// <summary>A model whose input is an int64 tensor (not something a classifier of images takes).</summary>
    public static string WriteInt64Input(string folder)
    {
        var model = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "g" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 2 });
        model.Graph.Input.Add(new ValueInfoProto { Name = "x", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Int64, Shape = shape } } });
        var node = new NodeProto { Name = "id", OpType = "Identity" };
        node.Input.Add("x");
        node.Output.Add("y");
        model.Graph.Node.Add(node);
        model.Graph.Output.Add(new ValueInfoProto { Name = "y", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Int64, Shape = shape } } });
        var path = Path.Combine(folder, "int64.onnx");
        File.WriteAllBytes(path, OnnxModelSerializer.ToBytes(model));
        return path;
    }
}
