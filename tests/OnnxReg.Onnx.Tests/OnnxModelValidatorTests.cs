using OnnxReg.Onnx.Proto;

namespace OnnxReg.Onnx.Tests;

public class OnnxModelValidatorTests
{
    private static ModelProto Valid()
    {
        var model = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "g" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        model.Graph.Input.Add(new ValueInfoProto { Name = "x", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        var node = new NodeProto { Name = "relu", OpType = "Relu" };
        node.Input.Add("x");
        node.Output.Add("y");
        model.Graph.Node.Add(node);
        model.Graph.Output.Add(new ValueInfoProto { Name = "y" });
        return model;
    }

    [Test]
    public void AcceptsAWellFormedModel()
    {
        Assert.DoesNotThrow(() => OnnxModelValidator.Validate(Valid()));
    }

    [Test]
    public void Rejects_InputUsedBeforeDefinition()
    {
        var model = Valid();
        model.Graph.Node[0].Input[0] = "later";
        var e = Assert.Throws<InvalidOperationException>(() => OnnxModelValidator.Validate(model));
        Assert.That(e!.Message, Does.Contain("reads 'later' before anything defines it"));
    }

    [Test]
    public void Rejects_MissingOpset()
    {
        var model = Valid();
        model.OpsetImport.Clear();
        var e = Assert.Throws<InvalidOperationException>(() => OnnxModelValidator.Validate(model));
        Assert.That(e!.Message, Does.Contain("opset"));
    }

    [Test]
    public void Rejects_OutputNobodyProduces()
    {
        var model = Valid();
        model.Graph.Output[0].Name = "z";
        var e = Assert.Throws<InvalidOperationException>(() => OnnxModelValidator.Validate(model));
        Assert.That(e!.Message, Does.Contain("'z' is not produced"));
    }

    [Test]
    public void Rejects_ValueDefinedTwice()
    {
        var model = Valid();
        model.Graph.Node[0].Output[0] = "x";
        model.Graph.Output[0].Name = "x";
        var e = Assert.Throws<InvalidOperationException>(() => OnnxModelValidator.Validate(model));
        Assert.That(e!.Message, Does.Contain("defined more than once"));
    }

    [Test]
    public void Rejects_InitializerWhoseDataDoesNotFitItsDims()
    {
        var model = Valid();
        var tensor = new TensorProto { Name = "w", DataType = 1, RawData = Google.Protobuf.ByteString.CopyFrom(new byte[12]) };
        tensor.Dims.Add(2);
        tensor.Dims.Add(2);
        model.Graph.Initializer.Add(tensor);
        var e = Assert.Throws<InvalidOperationException>(() => OnnxModelValidator.Validate(model));
        Assert.That(e!.Message, Does.Contain("holds 3 values but its dims [2, 2] declare 4"));
    }

    [Test]
    public void Rejects_EmptyNodeName()
    {
        var model = Valid();
        model.Graph.Node[0].Name = "";
        Assert.Throws<InvalidOperationException>(() => OnnxModelValidator.Validate(model));
    }
}
