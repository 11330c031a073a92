using OnnxReg.Data;

namespace OnnxReg.Data.Tests.Description;

public class ModelDescriptionCodecTests
{
    private static readonly ModelDescription Full = new()
    {
        InputShape = [1, 28, 28],
        InputRange = InputRange.Pixels0To255,
        Normalization = new Normalization(0.2857f, 0.3535f),
        Output = OutputKind.Probabilities,
        ClassNames = ["T-shirt/top", "Trouser", "Pullover"],
        TrainingConfiguration = "{\"model\":{\"preset\":\"mlp\"}}",
        Metrics = new FinalMetrics(7, 0.6736698141804448, 0.752962962962963, 0.5091046714782714, 0.8016666666666666, "Completed", "embedded", 5400),
        Command = "onnxreg train --epochs 8",
        WeightsSha256 = "bb709dd4",
    };

    [Test]
    public void EncodeThenDecode_GivesTheSameDescription()
    {
        var decoded = ModelDescriptionCodec.Decode(ModelDescriptionCodec.Encode(Full), classCount: 3);
        Assert.That(decoded with { InputShape = null, ClassNames = null }, Is.EqualTo(Full with { InputShape = null, ClassNames = null }));
        Assert.That(decoded.InputShape, Is.EqualTo(Full.InputShape));
        Assert.That(decoded.ClassNames, Is.EqualTo(Full.ClassNames));
        Assert.That(decoded.InputLayout, Is.EqualTo("CHW"));
    }

    [Test]
    public void Encode_WritesTheDocumentedStrings()
    {
        // The exact values the reference models in models/ carry, so re-exporting them stays byte-identical.
        var metadata = ModelDescriptionCodec.Encode(Full);
        Assert.That(metadata, Is.EqualTo(new Dictionary<string, string>
        {
            ["onnxreg.input_shape"] = "[1,28,28]",
            ["onnxreg.input_layout"] = "CHW",
            ["onnxreg.input_range"] = "pixels_0_255",
            ["onnxreg.normalization"] = "{\"mean\":0.2857,\"std\":0.3535}",
            ["onnxreg.output"] = "probabilities",
            ["onnxreg.class_names"] = "[\"T-shirt/top\",\"Trouser\",\"Pullover\"]",
            ["onnxreg.training_config"] = "{\"model\":{\"preset\":\"mlp\"}}",
            ["onnxreg.metrics"] = "{\"epoch\":7,\"trainLoss\":0.6736698141804448,\"trainAccuracy\":0.752962962962963,\"validationLoss\":0.5091046714782714,"
                + "\"validationAccuracy\":0.8016666666666666,\"stopReason\":\"Completed\",\"data\":\"embedded\",\"trainImages\":5400}",
            ["onnxreg.command"] = "onnxreg train --epochs 8",
            ["onnxreg.weights_sha256"] = "bb709dd4",
        }));
    }

    [Test]
    public void Decode_OfNoMetadata_GivesTheDefaults()
    {
        var decoded = ModelDescriptionCodec.Decode(new Dictionary<string, string>());
        Assert.That(decoded, Is.EqualTo(new ModelDescription()));
        Assert.That((decoded.InputRange, decoded.Output, decoded.Normalization, decoded.InputLayout), Is.EqualTo((InputRange.Normalized, OutputKind.Logits, (Normalization?)null, (string?)null)));
    }

    [Test]
    public void Decode_ReadsTheMetricsOfOnnxReg01sStudyAndExport()
    {
        // 0.1's study wrote PascalCase names without accuracy; its export wrote "in progress".
        var study = ModelDescriptionCodec.Decode(new Dictionary<string, string>
            { ["onnxreg.metrics"] = "{\"epoch\":3,\"TrainLoss\":0.5,\"ValidationLoss\":0.6,\"stopReason\":\"Completed\"}" }).Metrics!;
        Assert.That((study.Epoch, study.TrainLoss, study.ValidationLoss, study.StopReason), Is.EqualTo((3, 0.5, (double?)0.6, "Completed")));
        Assert.That(study.TrainAccuracy, Is.NaN);
        var export = ModelDescriptionCodec.Decode(new Dictionary<string, string>
            { ["onnxreg.metrics"] = "{\"epoch\":1,\"trainLoss\":0.9,\"stopReason\":\"in progress\",\"checkpoint\":\"m.ckpt\"}" }).Metrics!;
        Assert.That(export.StopReason, Is.EqualTo(FinalMetrics.InProgress));
    }

    [TestCase("not json")]
    [TestCase("{\"epoch\":\"x\"}")]
    [TestCase("{\"trainLoss\":1}")]
    public void Decode_OfDamagedMetrics_KeepsTheModelUsable_WithoutMetrics(string json) =>
        Assert.That(ModelDescriptionCodec.Decode(new Dictionary<string, string> { ["onnxreg.metrics"] = json }).Metrics, Is.Null);

    [TestCase("onnxreg.class_names", "{\"a\":1}", "'onnxreg.class_names' is not a JSON list of strings")]
    [TestCase("onnxreg.class_names", "[\"a\",null]", "'onnxreg.class_names' is not a JSON list of strings")]
    [TestCase("onnxreg.class_names", "[\"a\",\"b\"]", "lists 2 class names but the model has 3 outputs")]
    [TestCase("onnxreg.input_shape", "[1,0,28]", "'onnxreg.input_shape' is not a JSON list of positive sizes")]
    [TestCase("onnxreg.input_range", "pixels", "'onnxreg.input_range' is 'pixels'; expected normalized or pixels_0_255")]
    [TestCase("onnxreg.output", "scores", "'onnxreg.output' is 'scores'; expected logits or probabilities")]
    [TestCase("onnxreg.normalization", "{\"mean\":0.5,\"std\":0}", "'onnxreg.normalization' is not {\"mean\": number or list, \"std\": positive number or list}")]
    [TestCase("onnxreg.normalization", "{\"mean\":[0.5,0.5],\"std\":[0.2,0.2]}", "a per-channel normalization needs a [C, H, W] 'onnxreg.input_shape'")]
    [TestCase("onnxreg.schema_version", "3", "written with model description schema 3 by a newer OnnxReg; this version reads schema 2 and earlier")]
    [TestCase("onnxreg.schema_version", "one", "'onnxreg.schema_version' is 'one'; expected a positive whole number")]
    public void Decode_OfAMalformedEntryAModelNeeds_IsRefused_NamingTheKey(string key, string value, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => ModelDescriptionCodec.Decode(new Dictionary<string, string> { [key] = value }, classCount: 3));
        Assert.That(e!.Message, Does.Contain(expected));
    }

    [Test]
    public void ImagePreparation_RoundTrips_AndIsWrittenOnlyWhenKnown()
    {
        var image = new ImagePreparation(ColorMode.Rgb, 48, 64, ResizePolicy.Pad);
        var metadata = ModelDescriptionCodec.Encode(new ModelDescription { InputShape = [3, 48, 64], Image = image });
        Assert.That(metadata[ModelMetadataKeys.SchemaVersion], Is.EqualTo("2"), "a reader of schema 1 would stretch what must be padded: it must refuse the file");
        Assert.That(metadata[ModelMetadataKeys.Image], Is.EqualTo("{\"color\":\"rgb\",\"height\":48,\"width\":64,\"resize\":\"pad\"}"));
        Assert.That(ModelDescriptionCodec.Decode(metadata).Image, Is.EqualTo(image));
        var idx = ModelDescriptionCodec.Encode(new ModelDescription { InputShape = [1, 28, 28], Normalization = new Normalization(0.3f, 0.4f) });
        Assert.That(idx.Keys, Has.None.EqualTo(ModelMetadataKeys.Image).And.None.EqualTo(ModelMetadataKeys.SchemaVersion),
            "a model trained on IDX data writes neither, so its bytes stay as they were");
    }

    [TestCase("{\"color\":\"cmyk\",\"height\":28,\"width\":28,\"resize\":\"stretch\"}", "'onnxreg.image' is not {\"color\": \"gray\" or \"rgb\"")]
    [TestCase("{\"color\":\"gray\",\"height\":28,\"width\":28,\"resize\":\"1\"}", "'onnxreg.image' is not")]
    [TestCase("{\"color\":\"gray\",\"height\":0,\"width\":28,\"resize\":\"crop\"}", "Image size must be 1 to 4096 pixels per side")]
    [TestCase("{\"color\":\"rgb\",\"height\":28,\"width\":28,\"resize\":\"crop\"}", "says 28x28 rgb, crop but its input shape is [1, 28, 28]")]
    public void ImagePreparation_ThatIsMalformedOrContradictsTheShape_IsRefused(string json, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => ModelDescriptionCodec.Decode(new Dictionary<string, string>
            { [ModelMetadataKeys.InputShape] = "[1,28,28]", [ModelMetadataKeys.Image] = json }));
        Assert.That(e!.Message, Does.Contain(expected));
    }

    [Test]
    public void Decode_OfALayoutThatContradictsTheShape_IsRefused()
    {
        var e = Assert.Throws<InvalidDataException>(() => ModelDescriptionCodec.Decode(new Dictionary<string, string>
            { ["onnxreg.input_shape"] = "[784]", ["onnxreg.input_layout"] = "CHW" }));
        Assert.That(e!.Message, Does.Contain("'onnxreg.input_layout' is 'CHW' but its input shape has rank 1"));
    }

    [Test]
    public void Decode_OfSchemaVersion1_IsAccepted() =>
        Assert.That(ModelDescriptionCodec.Decode(new Dictionary<string, string> { ["onnxreg.schema_version"] = "1" }), Is.EqualTo(new ModelDescription()));
}
