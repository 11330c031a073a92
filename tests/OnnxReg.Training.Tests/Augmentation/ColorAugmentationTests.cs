using OnnxReg.Data;
using OnnxReg.Training.Augmentation;
using OnnxReg.Training.Augmentation.Techniques;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Augmentation;

/// <summary>Colour jitter, random grayscale and the per-channel background, each against values worked out by hand.</summary>
public class ColorAugmentationTests : TensorScopedTest
{
    // One RGB image of two pixels, 0–1 values: pixel A (0.2, 0.4, 0.6), pixel B (0.6, 0.4, 0.2).
    private static Tensor TwoPixels() => tensor(new[] { 0.2f, 0.6f, 0.4f, 0.4f, 0.6f, 0.2f }).view(1, 3, 1, 2);

    private static float[] Values(Tensor t) => t.contiguous().data<float>().ToArray();

    private static JitterDraw Draw(float brightness = 1, float contrast = 1, float saturation = 1, float hue = 0, Normalization? normalization = null) =>
        new(tensor(new[] { brightness }), tensor(new[] { contrast }), tensor(new[] { saturation }), tensor(new[] { hue }),
            new PixelSpace(normalization ?? Normalization.None));

    [Test]
    public void Brightness_ScalesAndClampsEachValue()
    {
        var output = new ColorJitterAugmentation().Apply(TwoPixels(), Draw(brightness: 2f));
        Assert.That(Values(output), Is.EqualTo(new[] { 0.4f, 1f, 0.8f, 0.8f, 1f, 0.4f }).Within(1e-6));
    }

    [Test]
    public void Contrast_BlendsWithTheImagesMeanLuminance()
    {
        // Luminance of both pixels: 0.299·0.2 + 0.587·0.4 + 0.114·0.6 = 0.3630 and 0.299·0.6 + 0.587·0.4 + 0.114·0.2 = 0.4370; mean 0.4.
        // Factor 0.5: x/2 + 0.4/2.
        var output = new ColorJitterAugmentation().Apply(TwoPixels(), Draw(contrast: 0.5f));
        Assert.That(Values(output), Is.EqualTo(new[] { 0.3f, 0.5f, 0.4f, 0.4f, 0.5f, 0.3f }).Within(1e-6));
    }

    [Test]
    public void Saturation_BlendsEachPixelWithItsLuminance_ZeroGivesGray()
    {
        var output = new ColorJitterAugmentation().Apply(TwoPixels(), Draw(saturation: 0f));
        Assert.That(Values(output), Is.EqualTo(new[] { 0.363f, 0.437f, 0.363f, 0.437f, 0.363f, 0.437f }).Within(1e-5));
    }

    [Test]
    public void Hue_RotatesColourAroundTheGrayAxis_KeepingLuminance_AndAFullTurnIsTheIdentity()
    {
        var jitter = new ColorJitterAugmentation();
        var turned = jitter.Apply(TwoPixels(), Draw(hue: 0.25f));
        Assert.That(Values(turned), Is.Not.EqualTo(Values(TwoPixels())).Within(0.01), "a quarter turn changes the colours");
        var luminance = ColorMath.Luminance(turned);
        Assert.That(Values(luminance), Is.EqualTo(new[] { 0.363f, 0.437f }).Within(2e-3), "YIQ rotation keeps Y");
        Assert.That(Values(jitter.Apply(TwoPixels(), Draw(hue: 1f))), Is.EqualTo(Values(TwoPixels())).Within(1e-5));
    }

    [Test]
    public void Jitter_WorksInPixelSpace_UnderAPerChannelNormalization()
    {
        var normalization = new Normalization([0.5f, 0.4f, 0.3f], [0.25f, 0.2f, 0.1f]);
        var space = new PixelSpace(normalization);
        var normalized = space.FromUnit(TwoPixels());
        var output = new ColorJitterAugmentation().Apply(normalized, Draw(brightness: 2f, normalization: normalization));
        Assert.That(Values(space.ToUnit(output)), Is.EqualTo(new[] { 0.4f, 1f, 0.8f, 0.8f, 1f, 0.4f }).Within(1e-5));
    }

    [Test]
    public void SaturationAndHue_LeaveOneChannelImagesAlone()
    {
        var gray = tensor(new[] { 0.2f, 0.7f }).view(1, 1, 1, 2);
        var output = new ColorJitterAugmentation().Apply(gray, Draw(saturation: 0f, hue: 0.3f));
        Assert.That(Values(output), Is.EqualTo(new[] { 0.2f, 0.7f }).Within(1e-6));
    }

    [Test]
    public void JitterSampling_GivesFactorsInRange_AndTheIdentityToSamplesNotChosen()
    {
        var options = AugmentationOptions.Parse("jitter=0.4:0.3:0.2:0.1@0.5");
        using var generator = new Generator(5);
        var draw = new ColorJitterAugmentation().Sample(options, [400, 3, 2, 2], new AugmentationRandom(generator));
        var brightness = Values(draw.Brightness);
        Assert.That(brightness, Has.All.InRange(0.6f, 1.4f));
        Assert.That(Values(draw.Contrast), Has.All.InRange(0.7f, 1.3f));
        Assert.That(Values(draw.Hue), Has.All.InRange(-0.1f, 0.1f));
        int identity = Enumerable.Range(0, 400).Count(i => brightness[i] == 1f && Values(draw.Hue)[i] == 0f);
        Assert.That(identity, Is.InRange(160, 240), "about half the samples are left alone at P 0.5");
    }

    [Test]
    public void Grayscale_ReplacesChosenColourImagesByTheirLuminance_AndLeavesTheOthers()
    {
        var images = cat([TwoPixels(), TwoPixels()], 0);
        var draw = new GrayscaleDraw(tensor(new[] { 1f, 0f }).view(-1, 1, 1, 1), new PixelSpace(Normalization.None));
        var output = Values(new GrayscaleAugmentation().Apply(images, draw));
        Assert.That(output[..6], Is.EqualTo(new[] { 0.363f, 0.437f, 0.363f, 0.437f, 0.363f, 0.437f }).Within(1e-5));
        Assert.That(output[6..], Is.EqualTo(Values(TwoPixels())).Within(1e-6));
    }

    [Test]
    public void GeometricTransforms_FillUncoveredAreasWithEachChannelsOwnBlack()
    {
        // A 3-channel image of normalized zeros (each channel at its mean), shifted by half its width: the uncovered
        // half holds black, which normalizes to −mean/std per channel: −2, −2, −3.
        var normalization = new Normalization([0.5f, 0.4f, 0.3f], [0.25f, 0.2f, 0.1f]);
        using var pipeline = new AugmentationPipeline(AugmentationOptions.Parse("translate=0.5"), seed: 1, normalization);
        var images = zeros(64, 3, 8, 8);
        var (output, _) = pipeline.Apply(images, zeros(64, ScalarType.Int64), 10);
        var minimum = output.amin([0, 2, 3]).data<float>().ToArray();
        Assert.That(minimum, Is.EqualTo(new[] { -2f, -2f, -3f }).Within(1e-4));
    }

    [Test]
    public void ResizedCrop_FillsTheImageWithTheChosenWindow()
    {
        // 8 × 8, the top-left 4 × 4 quadrant 1 and the rest 0; the window is that quadrant (half the width and height,
        // centred at (−0.5, −0.5) in normalized coordinates). Output pixel j samples input (2j − 1)/4: pixels 1–6 fall
        // inside the quadrant's pixel centres 0–3 and are exactly 1; the border rows and columns blend with what lies
        // outside (0.75 at 3.25, and at −0.25 the black padding).
        var image = zeros(1, 1, 8, 8);
        image[.., .., ..4, ..4] = ones(1, 1, 4, 4);
        var transform = new AffineParameters(1, 8, 8)
        {
            CropWidth = tensor(new[] { 0.5f }), CropHeight = tensor(new[] { 0.5f }), CropX = tensor(new[] { -0.5f }), CropY = tensor(new[] { -0.5f }),
        };
        using var space = new PixelSpace(Normalization.None);
        var output = AffineResampling.Apply(image, transform, space);
        Assert.That(Values(output[0, 0, 1..7, 1..7]), Has.All.EqualTo(1f).Within(1e-6));
        Assert.That(output[0, 0, 4, 7].item<float>(), Is.EqualTo(0.75f).Within(1e-6));
        Assert.That(output[0, 0, 4, 0].item<float>(), Is.EqualTo(0.75f).Within(1e-6));
    }

    [Test]
    public void ResizedCropSampling_DrawsWindowsWithinTheAreaRange_AndKeepsUnchosenImagesWhole()
    {
        var options = AugmentationOptions.Parse("resized-crop=0.25:0.5@0.5");
        using var generator = new Generator(11);
        var transform = new AffineParameters(400, 16, 16);
        new ResizedCropAugmentation().Sample(options, transform, new AugmentationRandom(generator));
        var widths = Values(transform.CropWidth!);
        var heights = Values(transform.CropHeight!);
        var areas = widths.Zip(heights, (w, h) => w * h).ToArray();
        int whole = areas.Count(a => a == 1f);
        Assert.That(whole, Is.InRange(160, 240), "about half the samples are left alone at P 0.5");
        Assert.That(areas.Where(a => a < 1f), Has.All.InRange(0.25f - 1e-5f, 0.5f + 1e-5f));
        var x = Values(transform.CropX!);
        Assert.That(Enumerable.Range(0, 400).All(i => Math.Abs(x[i]) <= 1 - widths[i] + 1e-6), Is.True, "every window lies inside the image");
    }

    [Test]
    public void NewTechniques_ParseAndFormatBack()
    {
        var options = AugmentationOptions.Parse("jitter=0.4:0.3,gray@0.2,resized-crop");
        Assert.That(options.ToString(), Is.EqualTo("resized-crop=0.08:1@1,jitter=0.4:0.3:0:0@1,gray@0.2"));
        Assert.That(AugmentationOptions.Parse(options.ToString()), Is.EqualTo(options));
        Assert.That(Assert.Throws<FormatException>(() => AugmentationOptions.Parse("jitter=0:0"))!.Message, Does.Contain("at least one of brightness"));
        Assert.That(Assert.Throws<FormatException>(() => AugmentationOptions.Parse("jitter=0.1:0.1:0.1:0.7"))!.Message, Does.Contain("hue must be zero or positive and at most 0.5"));
        Assert.That(Assert.Throws<FormatException>(() => AugmentationOptions.Parse("gray=0.5"))!.Message, Does.Contain("takes no value; write gray or gray@P"));
    }
}
