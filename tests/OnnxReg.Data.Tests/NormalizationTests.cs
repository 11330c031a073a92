namespace OnnxReg.Data.Tests;

public class NormalizationTests
{
    [Test]
    public void Apply_ScalesCentresAndDivides()
    {
        var normalization = new Normalization(0.5f, 0.25f);
        var output = new float[3];
        normalization.Apply([0, 255, 51], output);
        Assert.That(output[0], Is.EqualTo(-2f).Within(1e-6));
        Assert.That(output[1], Is.EqualTo(2f).Within(1e-6));
        Assert.That(output[2], Is.EqualTo((0.2f - 0.5f) / 0.25f).Within(1e-6));
    }

    [Test]
    public void Estimate_GivesMeanAndPopulationStd()
    {
        // Half 0, half 255: mean 0.5, std 0.5.
        var normalization = Normalization.Estimate([0, 255, 0, 255]);
        Assert.That(normalization.MeanOf(0), Is.EqualTo(0.5f).Within(1e-6));
        Assert.That(normalization.StdOf(0), Is.EqualTo(0.5f).Within(1e-6));
    }

    [Test]
    public void Estimate_OnEmbeddedFashionMnist_IsCloseToPublishedStatistics()
    {
        var normalization = Normalization.Estimate(DatasetSource.Load(DatasetSource.Embedded).Train.Pixels);
        Assert.That(normalization.MeanOf(0), Is.EqualTo(0.2860f).Within(0.01));
        Assert.That(normalization.StdOf(0), Is.EqualTo(0.3530f).Within(0.01));
    }

    [Test]
    public void Estimate_RejectsConstantImages()
    {
        Assert.Throws<ArgumentException>(() => Normalization.Estimate([7, 7, 7]));
    }

    [Test]
    public void EstimateOnColourImages_GivesAMeanAndStdPerChannel()
    {
        // Two 1×2 RGB images, CHW: red is 255 everywhere, green is 0/255 half and half, blue is 51 everywhere but one 102.
        byte[] pixels = [255, 255, 0, 255, 51, 51, /* image 2 */ 255, 255, 0, 255, 51, 102];
        var data = new ImageDataset(pixels, [0, 1], channels: 3, height: 1, width: 2, ["a", "b"]);
        var e = Assert.Throws<ArgumentException>(() => Normalization.Estimate(data));
        Assert.That(e!.Message, Does.Contain("channel 0's pixels"), "a constant red channel has no spread");
        pixels[0] = 0;
        pixels[6] = 0;
        var normalization = Normalization.Estimate(data);
        Assert.That(normalization.Means, Is.EqualTo(new[] { 0.5f, 0.5f, 0.25f }).Within(1e-4));
        // Blue: values 0.2, 0.2, 0.2, 0.4 → mean 0.25, population std sqrt(0.0075) = 0.0866.
        Assert.That(normalization.Stds, Is.EqualTo(new[] { 0.5f, 0.5f, 0.0866f }).Within(1e-4));
    }

    [Test]
    public void ApplyPerChannel_UsesEachChannelsMeanAndStd()
    {
        var normalization = new Normalization([0.5f, 0f], [0.5f, 0.25f]);
        var output = new float[8];
        // Two images of 2 channels × 2 pixels, CHW.
        normalization.Apply([255, 0, 51, 255, 0, 255, 0, 51], output, pixelsPerChannel: 2);
        Assert.That(output, Is.EqualTo(new[] { 1f, -1f, 0.8f, 4f, -1f, 1f, 0f, 0.8f }).Within(1e-5));
        Assert.Throws<InvalidOperationException>(() => normalization.Apply([1, 2], output));
    }

    [Test]
    public void Json_SharedKeepsTheScalarForm_PerChannelWritesLists_BothReadBack()
    {
        var shared = new Normalization(0.286f, 0.353f);
        Assert.That(System.Text.Json.JsonSerializer.Serialize(shared), Is.EqualTo("{\"mean\":0.286,\"std\":0.353}"));
        var rgb = new Normalization([0.1f, 0.2f, 0.3f], [0.4f, 0.5f, 0.6f]);
        var json = System.Text.Json.JsonSerializer.Serialize(rgb);
        Assert.That(json, Is.EqualTo("{\"mean\":[0.1,0.2,0.3],\"std\":[0.4,0.5,0.6]}"));
        Assert.That(System.Text.Json.JsonSerializer.Deserialize<Normalization>(json), Is.EqualTo(rgb));
        Assert.Throws<System.Text.Json.JsonException>(() => System.Text.Json.JsonSerializer.Deserialize<Normalization>("{\"mean\":[0.1,0.2],\"std\":[0.4]}"));
    }

    [Test]
    public void Validate_RefusesAPerChannelNormalizationForAnotherChannelCount()
    {
        var rgb = new Normalization([0.1f, 0.2f, 0.3f], [0.4f, 0.5f, 0.6f]);
        rgb.Validate(3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => rgb.Validate(1));
        Assert.That(e!.Message, Does.Contain("3 channels but the images have 1"));
        new Normalization(0.5f, 0.2f).Validate(3); // a shared one fits any count
    }

    [TestCase(0f)]
    [TestCase(-1f)]
    [TestCase(float.NaN)]
    public void Validate_RejectsNonPositiveStd(float std)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Normalization(0, std).Validate());
        Assert.That(e!.Message, Does.Contain("Std"));
    }
}
