using OnnxReg.Training.Augmentation;

namespace OnnxReg.Training.Tests.Augmentation;

public class AugmentationOptionsTests
{
    [Test]
    public void Parse_ReadsEveryItem_WithDefaultsAndProbabilities()
    {
        var options = AugmentationOptions.Parse("hflip, vflip@0.2, rotate=10, scale=0.9:1.1@0.5, translate=0.1, crop=4, erase, noise=0.05, mixup, cutmix=0.5");
        Assert.That(options.HorizontalFlip, Is.EqualTo(new AugmentationOptions.Flip(0.5)));
        Assert.That(options.VerticalFlip, Is.EqualTo(new AugmentationOptions.Flip(0.2)));
        Assert.That(options.Rotate, Is.EqualTo(new AugmentationOptions.Rotation(10, 1)));
        Assert.That(options.Scale, Is.EqualTo(new AugmentationOptions.Scaling(0.9, 1.1, 0.5)));
        Assert.That(options.RandomCrop, Is.EqualTo(new AugmentationOptions.Crop(4, 1)));
        Assert.That(options.Erase, Is.EqualTo(new AugmentationOptions.Erasing(0.02, 0.33, 0.5)));
        Assert.That(options.MixupLabels, Is.EqualTo(new AugmentationOptions.Mixup(0.2, 1)));
        Assert.That(options.CutMixLabels, Is.EqualTo(new AugmentationOptions.CutMix(0.5, 1)));
    }

    [Test]
    public void ToString_ParsesBackToTheSameOptions()
    {
        var options = AugmentationOptions.Parse("hflip,rotate=12.5@0.7,scale=0.8:1.25,erase=0.05:0.2,noise=0.1,cutmix");
        Assert.That(AugmentationOptions.Parse(options.ToString()), Is.EqualTo(options));
        Assert.That(AugmentationOptions.Parse("none").IsEmpty, Is.True);
    }

    [TestCase("blur", "Unknown augmentation 'blur'. Supported: hflip")]
    [TestCase("rotate", "'rotate' needs a value")]
    [TestCase("rotate=ten", "'ten' is not a number")]
    [TestCase("scale=1.2", "expected MIN:MAX")]
    [TestCase("scale=1.2:0.8", "0 < MIN <= MAX")]
    [TestCase("hflip@1.5", "probability must be in [0, 1]")]
    [TestCase("hflip,hflip", "given twice")]
    [TestCase("noise=-1", "noise: std must be positive")]
    public void Parse_RejectsBadItems_NamingThem(string spec, string expected)
    {
        var e = Assert.Throws<FormatException>(() => AugmentationOptions.Parse(spec));
        Assert.That(e!.Message, Does.Contain(expected));
    }
}
