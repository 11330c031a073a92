namespace OnnxReg.Data.Tests;

public class ImagePerturbationsTests
{
    private static ImageDataset Images() => DatasetSource.Load(DatasetSource.Embedded).Test.Take(20);

    [Test]
    public void RotationByZero_AndScaleOne_AreIdentity()
    {
        var data = Images();
        Assert.That(ImagePerturbations.Rotate(data, 0).Pixels, Is.EqualTo(data.Pixels));
        Assert.That(ImagePerturbations.Scale(data, 1).Pixels, Is.EqualTo(data.Pixels));
    }

    [Test]
    public void RotationBy90_TurnsTheImageExactly()
    {
        // 3x3 image with one bright pixel at the top middle; a 90° counter-clockwise turn moves it to the middle left.
        var data = new ImageDataset([0, 255, 0, 0, 0, 0, 0, 0, 0], [0], 1, 3, 3, ["a", "b"]);
        Assert.That(ImagePerturbations.Rotate(data, 90).Pixels, Is.EqualTo(new byte[] { 0, 0, 0, 255, 0, 0, 0, 0, 0 }));
    }

    [Test]
    public void Occlusion_BlacksOutOneSquarePerImage_AndKeepsLabels()
    {
        var data = new ImageDataset(Enumerable.Repeat((byte)100, 5 * 64).ToArray(), [0, 1, 0, 1, 0], 1, 8, 8, ["a", "b"]);
        var occluded = ImagePerturbations.Occlude(data, 3, seed: 1);
        for (int i = 0; i < 5; i++)
            Assert.That(occluded.Pixels.Skip(i * 64).Take(64).Count(p => p == 0), Is.EqualTo(9));
        Assert.That(occluded.Labels, Is.EqualTo(data.Labels));
        Assert.That(ImagePerturbations.Occlude(data, 3, seed: 1).Pixels, Is.EqualTo(occluded.Pixels), "same seed, same squares");
    }

    [Test]
    public void Noise_HasTheRequestedSpread()
    {
        var data = new ImageDataset(Enumerable.Repeat((byte)128, 100 * 784).ToArray(), new byte[100], 1, 28, 28, ["a", "b"]);
        var noisy = ImagePerturbations.GaussianNoise(data, 0.1, seed: 3).Pixels.Select(p => (p - 128) / 255.0).ToArray();
        double std = Math.Sqrt(noisy.Select(v => v * v).Average());
        Assert.That(std, Is.EqualTo(0.1).Within(0.005));
    }

    [Test]
    public void Perturbations_DoNotModifyTheSource()
    {
        var data = Images();
        var copy = (byte[])data.Pixels.Clone();
        ImagePerturbations.Rotate(data, 15);
        ImagePerturbations.Occlude(data, 10, 1);
        ImagePerturbations.GaussianNoise(data, 0.2, 1);
        Assert.That(data.Pixels, Is.EqualTo(copy));
    }
}
