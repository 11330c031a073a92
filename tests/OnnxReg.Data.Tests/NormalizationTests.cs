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
        Assert.That(normalization.Mean, Is.EqualTo(0.5f).Within(1e-6));
        Assert.That(normalization.Std, Is.EqualTo(0.5f).Within(1e-6));
    }

    [Test]
    public void Estimate_OnEmbeddedFashionMnist_IsCloseToPublishedStatistics()
    {
        var normalization = Normalization.Estimate(DatasetSource.Load(DatasetSource.Embedded).Train.Pixels);
        Assert.That(normalization.Mean, Is.EqualTo(0.2860f).Within(0.01));
        Assert.That(normalization.Std, Is.EqualTo(0.3530f).Within(0.01));
    }

    [Test]
    public void Estimate_RejectsConstantImages()
    {
        Assert.Throws<ArgumentException>(() => Normalization.Estimate([7, 7, 7]));
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
