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
        Assert.That(options, Is.EqualTo(new OnnxReg.Study.StudyDefinition { ImageSize = "16x12", Color = "rgb", Resize = "pad" }.ImageOptions()));
        var configuration = new TrainingConfiguration();
        Assert.That(sized.Fingerprint(configuration), Is.Not.EqualTo(plain.Fingerprint(configuration)), "trials on other decodings are not reused");
        Assert.That(plain.ImageOptions(), Is.EqualTo(new ImageFolderOptions()));
        Assert.That((plain with { Color = "purple" }).Validate, Throws.ArgumentException.With.Message.Contains("Color 'purple' is not one of"));
    }
}
