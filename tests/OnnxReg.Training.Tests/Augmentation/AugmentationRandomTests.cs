using OnnxReg.Training.Augmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Augmentation;

/// <summary>The managed draws against the tensor forms they stand for: the same bits from the same generator, and the
/// generator left in the same state, so a seed augments every batch exactly as before and a checkpoint resumes it.</summary>
public class AugmentationRandomTests : TensorScopedTest
{
    private static float[] Values(Tensor t) => t.contiguous().data<float>().ToArray();

    // Two randoms over generators in the same state: one drawn with the tensor forms, one with the managed forms.
    private static (AugmentationRandom Tensors, AugmentationRandom Managed) Twins(ulong seed) =>
        (new AugmentationRandom(new Generator(seed)), new AugmentationRandom(new Generator(seed)));

    private static float NextDraw(AugmentationRandom random) => rand(1, generator: random.Generator).item<float>();

    [TestCase(-10.0, 10.0)]
    [TestCase(0.9, 1.1)]
    [TestCase(-0.08, 0.08)]
    [TestCase(-0.7, 1.3)]
    public void UniformValues_EqualUniformBitForBit(double low, double high)
    {
        var (tensors, managed) = Twins(11);

        var expected = Values(tensors.Uniform(1000, low, high));
        var values = managed.UniformValues(1000, low, high);

        Assert.That(values, Is.EqualTo(expected));
        Assert.That(NextDraw(managed), Is.EqualTo(NextDraw(tensors)), "the generators stay in step");
    }

    [TestCase(0.5)]
    [TestCase(0.7)]
    [TestCase(0.3)]
    [TestCase(0.05)]
    public void ChosenValues_EqualChosen(double p)
    {
        var (tensors, managed) = Twins(12);

        var expected = Values(tensors.Chosen(5000, p));
        var values = managed.ChosenValues(5000, p);

        Assert.That(values, Is.EqualTo(expected));
        Assert.That(values!.Average(), Is.EqualTo(p).Within(0.03), "about p of the samples are chosen");
        Assert.That(NextDraw(managed), Is.EqualTo(NextDraw(tensors)));
    }

    [Test]
    public void ChosenValues_WithCertaintyDrawNothing()
    {
        var (tensors, managed) = Twins(13);

        Assert.That(managed.ChosenValues(100, 1), Is.Null);
        Assert.That(NextDraw(managed), Is.EqualTo(NextDraw(tensors)), "p = 1 leaves the generator untouched");
    }

    [Test]
    public void KeepChosen_ZeroesTheUnchosenWithTheProductsSign()
    {
        var (tensors, managed) = Twins(14);
        var values = Enumerable.Range(0, 400).Select(i => i % 2 == 0 ? -1.5f : 2.5f).ToArray();

        var expected = Values(tensor(values).mul(tensors.Chosen(values.Length, 0.5)));
        var kept = managed.KeepChosen((float[])values.Clone(), 0.5);

        Assert.That(kept.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(expected.Select(BitConverter.SingleToInt32Bits)),
            "bit for bit, −0 included");
        Assert.That(kept, Has.Some.EqualTo(0f).And.Some.EqualTo(-1.5f).And.Some.EqualTo(2.5f));
    }
}
