using OnnxReg.Data;
using OnnxReg.Training;

namespace OnnxReg.Tuning.Tests;

/// <summary>Tuning decodes an image folder as a study does: the same three settings, in the trials' fingerprints.</summary>
public class TuningDefinitionTests
{
    [Test]
    public void ImageSettings_DecodeAsAStudyDoes_AndChangeTheFingerprint()
    {
        var plain = new TuningDefinition();
        var sized = plain with { ImageSize = "16x12", Color = "rgb", Resize = "pad" };
        var options = sized.ImageOptions();
        Assert.That(options.Size, Is.EqualTo((12, 16)), "WIDTHxHEIGHT, as train and study read it");
        Assert.That(options.Color, Is.EqualTo(ColorMode.Rgb));
        Assert.That(options.Resize, Is.EqualTo(ResizePolicy.Pad));
        Assert.That(options, Is.EqualTo(OnnxReg.Experiments.ImageDecoding.Options("16x12", "rgb", "pad")), "the decoding a study uses for the same settings");
        var configuration = new TrainingConfiguration();
        Assert.That(sized.Fingerprint(configuration), Is.Not.EqualTo(plain.Fingerprint(configuration)), "trials on other decodings are not reused");
        Assert.That(plain.ImageOptions(), Is.EqualTo(new ImageFolderOptions()));
        Assert.That((plain with { Color = "purple" }).Validate, Throws.ArgumentException.With.Message.Contains("Color 'purple' is not one of"));
    }
}

/// <summary>The tuner and the study are siblings on the shared experiment parts; the tuner does not reach into the study.</summary>
public class TuningProjectGraphTests
{
    [Test]
    public void Tuner_UsesTheSharedExperimentParts_NotTheStudy()
    {
        var references = typeof(Tuner).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.That(references, Does.Contain("OnnxReg.Experiments"));
        Assert.That(references, Does.Not.Contain("OnnxReg.Study"));
    }
}
