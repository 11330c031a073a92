using OnnxReg.Tests.Shared;
using OnnxReg.Training.Models;
using OnnxReg.Training.Models.Layers;

namespace OnnxReg.Training.Tests.Models.Layers;

public class NetworkSpecTests
{
    private static string ResidualCnnPath => Path.Combine(RepositoryPaths.Models, "networks", "residual-cnn.json");

    [Test]
    public void Parse_ReadsPyTorchsVocabulary_AndNumbersUnnamedLayersPerTypeInEachSequence()
    {
        var network = NetworkSpec.Parse("""
            {"layers": [
              {"type": "conv2d", "out_channels": 8, "kernel_size": [3, 5], "stride": 2, "padding": "same", "bias": false},
              {"type": "conv2d", "name": "conv1", "out_channels": 4, "kernel_size": 1, "dilation": [1, 2], "groups": 2},
              {"type": "batchnorm2d", "eps": 0.001, "momentum": 0.2},
              {"type": "leakyrelu", "negative_slope": 0.2},
              {"type": "avgpool2d", "kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": false},
              {"type": "sequential", "layers": [{"type": "flatten"}, {"type": "linear", "out_features": 16}, {"type": "gelu", "approximate": "tanh"}]},
              {"type": "dropout"},
              {"type": "linear", "in_features": 16}
            ]}
            """);
        Assert.That(network.Layers.Select(l => (l.Type, l.Name)), Is.EqualTo(new[]
        {
            ("conv2d", "conv2"), ("conv2d", "conv1"), ("batchnorm2d", "bn1"), ("leakyrelu", "leakyrelu1"), ("avgpool2d", "pool1"),
            ("sequential", "group1"), ("dropout", "dropout1"), ("linear", "fc1"),
        }), "the explicitly named conv1 keeps its name; the unnamed one takes the next free number");
        Assert.That(network.Layers[0], Is.EqualTo(new Conv2dSpec(null, 8, new Size2(3, 5), Size2.Square(2), Size2.Square(0), "same", Size2.Square(1), 1, false) { Name = "conv2" }));
        Assert.That(network.Layers[1], Is.EqualTo(new Conv2dSpec(null, 4, Size2.Square(1), Size2.Square(1), Size2.Square(0), null, new Size2(1, 2), 2, true) { Name = "conv1" }));
        Assert.That(network.Layers[2], Is.EqualTo(new BatchNormSpec(2, null, 0.001, 0.2) { Name = "bn1" }));
        Assert.That(network.Layers[4], Is.EqualTo(new Pool2dSpec(true, Size2.Square(3), Size2.Square(2), Size2.Square(1), CountIncludePad: false) { Name = "pool1" }));
        Assert.That(((SequentialSpec)network.Layers[5]).Layers.Select(l => l.Name), Is.EqualTo(new[] { "flatten1", "fc1", "gelu1" }), "numbering restarts in each sequence");
        Assert.That(network.Layers[6], Is.EqualTo(new DropoutSpec(false, 0.5) { Name = "dropout1" }), "PyTorch's default rate");
        Assert.That(network.Layers[7], Is.EqualTo(new LinearSpec(16, null, true) { Name = "fc1" }));
        Assert.That(network.DropoutCount, Is.EqualTo(1));
        Assert.That(network.AllLayers.Count(), Is.EqualTo(11));
    }

    [Test]
    public void ToJson_ReadsBackToTheSameNetwork_WithEveryNameResolved()
    {
        var network = NetworkSpec.Load(ResidualCnnPath);
        string json = network.ToJson();
        var again = NetworkSpec.Parse(json);
        Assert.That(again.ToJson(), Is.EqualTo(json));
        Assert.That(again.AllLayers.Select(l => l.Name), Is.EqualTo(network.AllLayers.Select(l => l.Name)));
        Assert.That(json, Does.Contain("\"name\": \"block2\"").And.Contain("\"shortcut\""));
        Assert.That(network.SpatialDropoutCount, Is.EqualTo(2));
    }

    [Test]
    public void TrainingConfiguration_RecordsTheWholeNetwork_AndReadsItBack()
    {
        var network = NetworkSpec.Load(ResidualCnnPath);
        var configuration = new TrainingConfiguration { Model = new ModelOptions(ModelPreset.Custom, DropoutRates: [0.2], Layers: network) };
        var json = configuration.ToJson();
        Assert.That(json, Does.Contain("\"preset\": \"custom\"").And.Contain("\"layers\": ["));
        var read = TrainingConfiguration.FromJson(json);
        Assert.That(read.Model.Layers!.ToJson(), Is.EqualTo(network.ToJson()));
        Assert.That(read.Model.DropoutRates, Is.EqualTo(new[] { 0.2 }));
        Assert.That(read.ToJson(), Is.EqualTo(json));
    }

    [Test]
    public void TrainingConfiguration_WithABadLayer_SaysWhereInTheModelSection()
    {
        var json = new TrainingConfiguration { Model = new ModelOptions(ModelPreset.Custom, Layers: NetworkSpec.Load(ResidualCnnPath)) }.ToJson()
            .Replace("\"out_features\": 128", "\"units\": 128");
        Assert.That(() => TrainingConfiguration.FromJson(json), Throws.InstanceOf<InvalidDataException>()
            .With.Message.Contains("model.layers[1].layers[1] (linear) has the unknown property 'units' (PyTorch's name is 'out_features')"));
    }

    [TestCase("""{"layers": [{"type": "conv"}]}""", "layers[0] has the unknown type 'conv' (did you mean 'conv2d'?)")]
    [TestCase("""{"layers": [{"out_channels": 3}]}""", "layers[0] needs a \"type\"")]
    [TestCase("""{"layers": [{"type": "conv2d", "filters": 8, "kernel_size": 3}]}""", "layers[0] (conv2d) has the unknown property 'filters' (PyTorch's name is 'out_channels')")]
    [TestCase("""{"layers": [{"type": "linear", "out_features": 8, "activation": "relu"}]}""", "layers[0] (linear) has the unknown property 'activation' (put the activation after it as a layer of its own")]
    [TestCase("""{"layers": [{"type": "relu", "inplace": true}]}""", "layers[0] (relu) has the unknown property 'inplace'; it takes no options")]
    [TestCase("""{"layers": [{"type": "conv2d", "kernel_size": 3}]}""", "layers[0] (conv2d) needs \"out_channels\"")]
    [TestCase("""{"layers": [{"type": "conv2d", "out_channels": 8}]}""", "layers[0] (conv2d) needs \"kernel_size\"")]
    [TestCase("""{"layers": [{"type": "conv2d", "out_channels": 8, "kernel_size": 0}]}""", "layers[0] (conv2d) has kernel_size 0; it must be a whole number from 1 to 4,096, or [height, width]")]
    [TestCase("""{"layers": [{"type": "conv2d", "out_channels": 8, "kernel_size": [3, 3, 3]}]}""", "has kernel_size [3, 3, 3]; it must be")]
    [TestCase("""{"layers": [{"type": "conv2d", "out_channels": 2.5, "kernel_size": 3}]}""", "has out_channels 2.5; it must be a whole number from 1 to 1,048,576")]
    [TestCase("""{"layers": [{"type": "conv2d", "out_channels": 8, "kernel_size": 3, "padding": "full"}]}""", "has padding \"full\"; it must be one of: \"same\", \"valid\"")]
    [TestCase("""{"layers": [{"type": "dropout", "p": 1}]}""", "layers[0] (dropout) has p 1; it must be a number in [0, 1)")]
    [TestCase("""{"layers": [{"type": "linear", "bias": "yes"}]}""", "has bias \"yes\"; it must be true or false")]
    [TestCase("""{"layers": [{"type": "relu"}, {"type": "relu", "name": "relu1"}, {"type": "tanh", "name": "relu1"}]}""", "layers names two layers 'relu1'")]
    [TestCase("""{"layers": [{"type": "relu", "name": "a.b"}]}""", "layers[0] (relu) has the name \"a.b\"; a name is 1 to 64 letters, digits or underscores")]
    [TestCase("""{"layers": []}""", "layers is empty")]
    [TestCase("""{"layers": [{"type": "residual", "body": []}]}""", "layers[0].body is empty")]
    [TestCase("""{"layers": [{"type": "residual"}]}""", "layers[0] (residual) needs \"body\"")]
    [TestCase("""{"layers": [{"type": "sequential", "layers": {"type": "relu"}}]}""", "layers[0].layers must be a list of layers")]
    [TestCase("""{"layers": [3]}""", "layers[0] must be an object such as {\"type\": \"relu\"}; found a number")]
    [TestCase("""{"model": []}""", "the model file has the unknown property 'model'")]
    [TestCase("""{}""", "the model file has no \"layers\"")]
    [TestCase("""{"layers": [{"type": "relu"}""", "the model file is not valid JSON")]
    public void Parse_OfAMistake_SaysWhereAndWhatToWrite(string json, string expected) =>
        Assert.That(() => NetworkSpec.Parse(json), Throws.InstanceOf<InvalidDataException>().With.Message.Contains(expected));

    [Test]
    public void Parse_RefusesMoreLayersThanTheLimit_AndNestingDeeperThanTheLimit()
    {
        string many = "{\"layers\": [" + string.Join(",", Enumerable.Repeat("{\"type\": \"relu\"}", NetworkSpec.MaxLayers + 1)) + "]}";
        Assert.That(() => NetworkSpec.Parse(many), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("past 1,000 layers"));
        string deep = string.Concat(Enumerable.Repeat("{\"type\": \"sequential\", \"layers\": [", NetworkSpec.MaxDepth)) + "{\"type\": \"relu\"}"
                      + string.Concat(Enumerable.Repeat("]}", NetworkSpec.MaxDepth));
        Assert.That(() => NetworkSpec.Parse("{\"layers\": [" + deep + "]}"), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("deeper than 16 levels"));
    }

    [Test]
    public void Parse_ALayerList_WithoutTheObjectAroundIt_IsAccepted()
    {
        var network = NetworkSpec.Parse("""[{"type": "flatten"}, {"type": "linear"}]""");
        Assert.That(network.Layers.Select(l => l.Name), Is.EqualTo(new[] { "flatten1", "fc1" }));
    }

    [Test]
    public void Load_OfAMissingOrDamagedFile_NamesTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"onnxreg-net-{Guid.NewGuid():N}.json");
        Assert.That(() => NetworkSpec.Load(path), Throws.InstanceOf<FileNotFoundException>().With.Message.Contains(path));
        File.WriteAllBytes(path, [0xFF, 0x00, 0x7B]);
        try
        {
            Assert.That(() => NetworkSpec.Load(path), Throws.InstanceOf<InvalidDataException>().With.Message.StartsWith($"Model file '{path}': "));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void ModelOptions_OfACustomNetwork_RefuseThePresetsOptions_AndDropoutWithoutDropoutLayers()
    {
        var network = NetworkSpec.Parse("""[{"type": "flatten"}, {"type": "linear"}]""");
        Assert.That(() => new ModelOptions(ModelPreset.Custom, HiddenSizes: [8], Layers: network).Validate(),
            Throws.ArgumentException.With.Message.Contains("Hidden sizes (a list) applies to the presets only").And.Property("ParamName").EqualTo("HiddenSizes"));
        Assert.That(() => new ModelOptions(ModelPreset.Custom, BatchNorm: true, Layers: network).Validate(),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("BatchNorm"));
        Assert.That(() => new ModelOptions(ModelPreset.Custom, DropoutRates: [0.5], Layers: network).Validate(),
            Throws.ArgumentException.With.Message.Contains("the model file has none: add {\"type\": \"dropout\"}"));
        Assert.That(() => new ModelOptions(ModelPreset.Custom).Validate(), Throws.ArgumentException.With.Message.Contains("needs its layers"));
        Assert.That(() => new ModelOptions(ModelPreset.Mlp, Layers: network).Validate(), Throws.ArgumentException.With.Message.Contains("need the custom preset"));
        var withTwo = NetworkSpec.Load(ResidualCnnPath);
        Assert.That(() => new ModelOptions(ModelPreset.Custom, SpatialDropoutRates: [0.1, 0.2, 0.3], Layers: withTwo).Validate(),
            Throws.ArgumentException.With.Message.Contains("needs 1 value or 2"));
        Assert.That(() => new ModelOptions(ModelPreset.Custom, SpatialDropoutRates: [0.1, 0.2], Layers: withTwo).Validate(), Throws.Nothing);
    }
}
