using OnnxReg.Training.Augmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Augmentation;

/// <summary>The managed sampling grid against libtorch's <c>affine_grid</c>, which it replaces for speed: the same
/// float32 values bit for bit, so augmented batches (and every model trained on them) are unchanged.</summary>
public class AffineGridTests : TensorScopedTest
{
    private static Tensor RandomTheta(long count, long seed)
    {
        using var generator = new Generator((ulong)seed);
        // Rotation/zoom-like linear parts near the identity, shifts up to ±0.3, and a few mirrored samples.
        return randn([count, 2, 3], generator: generator).mul(0.3).add(eye(2, 3).unsqueeze(0));
    }

    private static float[] Values(Tensor t) => t.contiguous().data<float>().ToArray();

    [TestCase(128, 28, 28)]
    [TestCase(3, 5, 7)]
    [TestCase(2, 1, 9)]
    [TestCase(4, 33, 2)]
    public void Create_EqualsLibTorchsAffineGridBitForBit(int count, int height, int width)
    {
        var theta = RandomTheta(count, seed: height * 100 + width);

        var grid = AffineGrid.Create(Values(theta), count, height, width);

        var expected = nn.functional.affine_grid(theta, [count, 1, height, width], align_corners: false);
        Assert.That(grid.shape, Is.EqualTo(expected.shape));
        Assert.That(Values(grid), Is.EqualTo(Values(expected)));
    }

    [Test]
    public void Create_AlternatesSizesWithoutReusingTheOtherSizesCentres()
    {
        var theta = RandomTheta(2, seed: 5);
        foreach (var (height, width) in new[] { (6, 4), (4, 6), (6, 4) })
        {
            var grid = AffineGrid.Create(Values(theta), 2, height, width);
            var expected = nn.functional.affine_grid(theta, [2, 1, height, width], align_corners: false);
            Assert.That(Values(grid), Is.EqualTo(Values(expected)), $"{height}x{width}");
        }
    }

    [Test]
    public void Create_IdentityThetaGivesThePixelCentres()
    {
        // align_corners = false: the centre of pixel i of n lies at (2i + 1)/n − 1.
        var grid = AffineGrid.Create([1, 0, 0, 0, 1, 0], 1, 2, 4);

        Assert.That(Values(grid), Is.EqualTo(new[]
        {
            -0.75f, -0.5f, -0.25f, -0.5f, 0.25f, -0.5f, 0.75f, -0.5f,
            -0.75f, 0.5f, -0.25f, 0.5f, 0.25f, 0.5f, 0.75f, 0.5f,
        }).Within(1e-6));
    }

    [Test]
    public void Create_RefusesAThetaOfTheWrongLength()
    {
        var error = Assert.Throws<ArgumentException>(() => AffineGrid.Create(new float[11], 2, 4, 4));
        Assert.That(error!.Message, Does.Contain("6 values per sample: 12 for 2 samples; received 11"));
    }
}
