using System.Buffers.Binary;
using OnnxReg.Onnx.Proto;

namespace OnnxReg.Onnx.Tests;

public class OnnxGraphBuilderTests
{
    private static readonly OnnxModelInfo Info = new(8, 13, "test", "1.0", new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });

    private static ModelProto SmallModel()
    {
        var builder = new OnnxGraphBuilder("g");
        var input = builder.AddInput("x", [OnnxDimension.Symbolic("N"), OnnxDimension.Fixed(2)]);
        var weight = builder.AddInitializer("fc.weight", [1f, 2f, 3f, 4f, 5f, 6f], [3, 2]);
        var output = builder.AddNode("Gemm", "fc", [input, weight], OnnxAttribute.Int("transB", 1), OnnxAttribute.Float("alpha", 1f));
        builder.AddOutput(output, [OnnxDimension.Symbolic("N"), OnnxDimension.Fixed(3)]);
        return builder.Build(Info);
    }

    [Test]
    public void Build_DeclaresIrVersionOpsetProducerAndSortedMetadata()
    {
        var model = SmallModel();
        Assert.That(model.IrVersion, Is.EqualTo(8));
        Assert.That(model.OpsetImport.Single().Version, Is.EqualTo(13));
        Assert.That(model.OpsetImport.Single().Domain, Is.EqualTo(""));
        Assert.That(model.ProducerName, Is.EqualTo("test"));
        Assert.That(model.MetadataProps.Select(p => p.Key), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void Nodes_HaveSortedAttributes_AndStableNames()
    {
        var node = SmallModel().Graph.Node.Single();
        Assert.That(node.Attribute.Select(a => a.Name), Is.EqualTo(new[] { "alpha", "transB" }));
        Assert.That(node.Name, Is.EqualTo("fc"));
        Assert.That(node.Output.Single(), Is.EqualTo("fc_output"));
    }

    [Test]
    public void Initializers_AreLittleEndianFloatRawData()
    {
        var tensor = SmallModel().Graph.Initializer.Single();
        Assert.That(tensor.DataType, Is.EqualTo((int)TensorProto.Types.DataType.Float));
        Assert.That(tensor.Dims, Is.EqualTo(new long[] { 3, 2 }));
        var raw = tensor.RawData.ToByteArray();
        Assert.That(raw, Has.Length.EqualTo(24));
        Assert.That(BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(4)), Is.EqualTo(2f));
    }

    [Test]
    public void SymbolicDimensions_UseDimParam()
    {
        var dims = SmallModel().Graph.Input.Single().Type.TensorType.Shape.Dim;
        Assert.That(dims[0].DimParam, Is.EqualTo("N"));
        Assert.That(dims[1].DimValue, Is.EqualTo(2));
    }

    [Test]
    public void BuildingTwice_GivesIdenticalBytes()
    {
        Assert.That(OnnxModelSerializer.ToBytes(SmallModel()), Is.EqualTo(OnnxModelSerializer.ToBytes(SmallModel())));
    }

    [Test]
    public void UniqueName_AppendsSuffixesInOrder()
    {
        var builder = new OnnxGraphBuilder("g");
        Assert.That(new[] { builder.UniqueName("relu"), builder.UniqueName("relu"), builder.UniqueName("relu") },
            Is.EqualTo(new[] { "relu", "relu_1", "relu_2" }));
    }

    [Test]
    public void Initializer_WithWrongValueCount_IsRejected()
    {
        var builder = new OnnxGraphBuilder("g");
        var e = Assert.Throws<ArgumentException>(() => builder.AddInitializer("w", [1f, 2f, 3f], [2, 2]));
        Assert.That(e!.Message, Does.Contain("3 values").And.Contain("need 4"));
    }

    [Test]
    public void SerializedModel_ParsesBack()
    {
        var bytes = OnnxModelSerializer.ToBytes(SmallModel());
        var parsed = ModelProto.Parser.ParseFrom(bytes);
        Assert.That(parsed.Graph.Node.Single().OpType, Is.EqualTo("Gemm"));
        Assert.That(OnnxWeights.ParameterCount(parsed.Graph), Is.EqualTo(6));
    }

    [Test]
    public void WeightsHash_ChangesWhenOneWeightChanges()
    {
        var model = SmallModel();
        var before = OnnxWeights.Sha256(model.Graph);
        var raw = model.Graph.Initializer[0].RawData.ToByteArray();
        raw[0] ^= 1;
        model.Graph.Initializer[0].RawData = Google.Protobuf.ByteString.CopyFrom(raw);
        Assert.That(OnnxWeights.Sha256(model.Graph), Is.Not.EqualTo(before).And.Length.EqualTo(64));
    }
}
