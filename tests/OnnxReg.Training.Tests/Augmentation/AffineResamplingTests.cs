using OnnxReg.Training.Augmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Augmentation;

/// <summary>The affine matrices, built in managed code, against the tensor expression they replaced: the same bits
/// for every combination of drawn parts, so augmented batches stay what they were.</summary>
public class AffineResamplingTests : TensorScopedTest
{
    private const int Count = 64;

    private static float[] Values(Tensor t) => t.contiguous().data<float>().ToArray();

    // θ as the tensor operations computed it before it moved to managed code (libtorch float32 arithmetic).
    private static Tensor TensorTheta(AffineParameters p)
    {
        Tensor Or(float[]? values, float identity) => values is null ? full(p.Count, identity) : tensor(values);
        var angle = Or(p.Angle, 0);
        var cos = angle.cos().div(Or(p.Scale, 1));
        var sin = angle.sin().div(Or(p.Scale, 1));
        var theta = stack([stack([cos, sin.neg(), Or(p.ShiftX, 0)], 1), stack([sin, cos, Or(p.ShiftY, 0)], 1)], 1);
        if (p.CropWidth is { } width)
        {
            theta = theta.mul(stack([width, p.CropHeight!], 1).unsqueeze(2));
            theta = theta.add(nn.functional.pad(stack([p.CropX!, p.CropY!], 1).unsqueeze(2), [2, 0]));
        }
        if (p.FlipX is not null || p.FlipY is not null)
            theta = theta.mul(stack([Or(p.FlipX, 1), Or(p.FlipY, 1)], 1).unsqueeze(2));
        return theta;
    }

    private static AffineParameters Draw(string parts, Generator g)
    {
        var p = new AffineParameters(Count, 28, 32);
        Tensor Uniform(double low, double high) => rand(Count, generator: g).mul(high - low).add(low);
        float[] UniformValues(double low, double high) => Values(Uniform(low, high));
        float[] Sign() => Values(ones(Count).sub_(rand(Count, generator: g).lt(0.5).to(ScalarType.Float32).mul_(2)));
        if (parts.Contains('r')) p.Angle = UniformValues(-3.1, 3.1);
        if (parts.Contains('s')) p.Scale = UniformValues(0.5, 2);
        if (parts.Contains('t')) { p.ShiftX = UniformValues(-0.4, 0.4); p.ShiftY = UniformValues(-0.4, 0.4); }
        if (parts.Contains('c'))
        {
            p.CropWidth = Uniform(0.2, 1);
            p.CropHeight = Uniform(0.2, 1);
            p.CropX = Uniform(-0.5, 0.5);
            p.CropY = Uniform(-0.5, 0.5);
        }
        if (parts.Contains('h')) p.FlipX = Sign();
        if (parts.Contains('v')) p.FlipY = Sign();
        return p;
    }

    [TestCase("")]
    [TestCase("r")]
    [TestCase("h")]
    [TestCase("rst")]
    [TestCase("hrst")]
    [TestCase("tv")]
    [TestCase("ch")]
    [TestCase("rstchv")]
    public void Theta_EqualsTheTensorExpressionBitForBit(string parts)
    {
        using var generator = new Generator(42);
        var transform = Draw(parts, generator);

        var theta = AffineResampling.Theta(transform);

        Assert.That(theta, Is.EqualTo(Values(TensorTheta(transform))));
    }

    [Test]
    public void Theta_OfNothingDrawnIsTheIdentity()
    {
        var theta = AffineResampling.Theta(new AffineParameters(2, 5, 5));

        Assert.That(theta, Is.EqualTo(new[] { 1f, -0f, 0f, 0f, 1f, 0f, 1f, -0f, 0f, 0f, 1f, 0f }));
    }

    [Test]
    public void Theta_RefusesAParameterOfAnotherBatchSize()
    {
        var transform = new AffineParameters(3, 5, 5) { ShiftX = [0.1f, 0.2f] };

        var error = Assert.Throws<InvalidOperationException>(() => AffineResampling.Theta(transform));
        Assert.That(error!.Message, Does.Contain("2 values for 3 samples"));
    }

    [Test]
    public void Apply_WithHalfTurnAndNoFlipMirrorsBothAxes()
    {
        // A 180° rotation maps each pixel centre onto its point mirror: [[1, 2], [3, 4]] becomes [[4, 3], [2, 1]] up to
        // the rounding of cos(π) and sin(π) in float32.
        var images = tensor(new[] { 1f, 2f, 3f, 4f }).view(1, 1, 2, 2);
        var transform = new AffineParameters(1, 2, 2) { Angle = [(float)Math.PI] };

        var output = AffineResampling.Apply(images, transform, new PixelSpace(OnnxReg.Data.Normalization.None));

        Assert.That(Values(output), Is.EqualTo(new[] { 4f, 3f, 2f, 1f }).Within(1e-5));
    }
}
