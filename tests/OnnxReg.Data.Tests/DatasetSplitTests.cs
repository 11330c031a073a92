namespace OnnxReg.Data.Tests;

public class DatasetSplitTests
{
    private static ImageDataset Numbered(int count) => new(
        Enumerable.Range(0, count).Select(i => (byte)i).ToArray(),
        Enumerable.Range(0, count).Select(i => (byte)(i % 2)).ToArray(), 1, 1, 1, ["even", "odd"]);

    [Test]
    public void SameSeed_GivesSameSplit_DifferentSeed_Differs()
    {
        var data = Numbered(100);
        var (trainA, validationA) = DatasetSplit.TrainValidation(data, 0.2, seed: 7);
        var (trainB, validationB) = DatasetSplit.TrainValidation(data, 0.2, seed: 7);
        var (_, validationC) = DatasetSplit.TrainValidation(data, 0.2, seed: 8);
        Assert.That(validationA.Pixels, Is.EqualTo(validationB.Pixels));
        Assert.That(trainA.Pixels, Is.EqualTo(trainB.Pixels));
        Assert.That(validationA.Pixels, Is.Not.EqualTo(validationC.Pixels));
    }

    [Test]
    public void Split_IsAPartition_WithTheRequestedSize()
    {
        var (train, validation) = DatasetSplit.TrainValidation(Numbered(100), 0.25, seed: 3);
        Assert.That(validation.Count, Is.EqualTo(25));
        Assert.That(train.Count, Is.EqualTo(75));
        Assert.That(train.Pixels.Concat(validation.Pixels).Order(), Is.EqualTo(Enumerable.Range(0, 100).Select(i => (byte)i)));
        Assert.That(Enumerable.Range(0, 25).All(i => validation.Labels[i] == validation.Pixels[i] % 2), Is.True, "labels travel with their images");
    }

    [TestCase(-0.1)]
    [TestCase(1.0)]
    [TestCase(double.NaN)]
    public void Rejects_FractionOutsideZeroToOne(double fraction)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplit.TrainValidation(Numbered(10), fraction, 1));
        Assert.That(e!.Message, Does.Contain("[0, 1)"));
    }
}
