using OnnxReg.Data.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OnnxReg.Data.Tests.Images;

/// <summary>The three resize policies on images small enough to work out by hand.</summary>
public class ResizePolicyTests
{
    // A 4 wide × 2 high gray image whose columns are 10, 20, 30, 40.
    private static MemoryStream WideImage()
    {
        using var image = new Image<L8>(4, 2);
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 4; x++)
                image[x, y] = new L8((byte)(10 * (x + 1)));
        var stream = new MemoryStream();
        image.SaveAsPng(stream);
        stream.Position = 0;
        return stream;
    }

    [Test]
    public void Crop_CutsTheCentredWindowOfTheTargetAspect_BeforeResizing()
    {
        // 2 × 2 target: the centred 2 × 2 window holds columns 20 and 30; no resampling is needed.
        var pixels = ImageInput.Load(WideImage(), 1, 2, 2, "wide.png", ResizePolicy.Crop);
        Assert.That(pixels, Is.EqualTo(new byte[] { 20, 30, 20, 30 }));
    }

    [Test]
    public void Pad_FitsTheImageInside_AndFillsTheRestWithBlack()
    {
        // 4 × 4 target: the image already fits (4 × 2), so one black row goes above and one below.
        var pixels = ImageInput.Load(WideImage(), 1, 4, 4, "wide.png", ResizePolicy.Pad);
        Assert.That(pixels, Is.EqualTo(new byte[] { 0, 0, 0, 0, 10, 20, 30, 40, 10, 20, 30, 40, 0, 0, 0, 0 }));
    }

    [Test]
    public void Stretch_KeepsEveryColumnsContribution_AtTheNewAspect()
    {
        // 2 × 2 target: halving the width widens the triangle kernel to a radius of 2 source pixels. Output column 0 is
        // centred on source x = 0.5: columns at distances 0.5, 0.5, 1.5 weigh 0.75, 0.75, 0.25, so
        // (7.5 + 15 + 7.5) / 1.75 = 17.1; column 1 mirrors it: (5 + 22.5 + 30) / 1.75 = 32.9.
        var pixels = ImageInput.Load(WideImage(), 1, 2, 2, "wide.png", ResizePolicy.Stretch);
        Assert.That(pixels, Is.EqualTo(new byte[] { 17, 33, 17, 33 }));
    }

    [Test]
    public void AColourImageAsRgb_IsPlanarRedGreenBlue_AndItsGrayIsTheLuminance()
    {
        using var image = new Image<Rgb24>(1, 1, new Rgb24(200, 100, 50));
        var stream = new MemoryStream();
        image.SaveAsPng(stream);
        stream.Position = 0;
        Assert.That(ImageInput.Load(stream, 3, 1, 1), Is.EqualTo(new byte[] { 200, 100, 50 }));
        stream.Position = 0;
        // ImageSharp's L8 uses the BT.709 weights: 0.2126 · 200 + 0.7152 · 100 + 0.0722 · 50 = 117.6.
        Assert.That(ImageInput.Load(stream, 1, 1, 1)[0], Is.EqualTo(118).Within(1));
    }

    [Test]
    public void ImagePreparation_ParsesSquareAndWidthByHeightSizes_AndRefusesOthers()
    {
        Assert.That(ImagePreparation.ParseSize("64"), Is.EqualTo((64, 64)));
        Assert.That(ImagePreparation.ParseSize("64x48"), Is.EqualTo((48, 64)), "WIDTHxHEIGHT: 64 wide, 48 high");
        foreach (var bad in new[] { "0", "64x", "x64", "-3", "64x48x2", "5000", "big" })
            Assert.That(Assert.Throws<FormatException>(() => ImagePreparation.ParseSize(bad))!.Message, Does.Contain("is not SIZE or WIDTHxHEIGHT"), bad);
    }
}
