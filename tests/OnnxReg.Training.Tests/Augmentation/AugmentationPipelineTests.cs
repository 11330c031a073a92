using OnnxReg.Data;
using TorchSharp;
using OnnxReg.Training.Augmentation;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Augmentation;

public class AugmentationPipelineTests : TensorScopedTest
{
    private static Tensor Batch(int n = 8, int size = 12, int seed = 3)
    {
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        return rand([n, 1, size, size], generator: generator);
    }

    private static Tensor Labels(int n = 8) => arange(n, ScalarType.Int64).remainder(10);

    private static (Tensor Images, Tensor? Targets) Apply(string spec, Tensor images, int seed = 1, float background = 0)
    {
        using var pipeline = new AugmentationPipeline(AugmentationOptions.Parse(spec), seed, new Normalization(-background, 1f));
        return pipeline.Apply(images, Labels((int)images.shape[0]), 10);
    }

    private static float[] Values(Tensor t) => t.contiguous().data<float>().ToArray();

    [TestCase("hflip")]
    [TestCase("vflip")]
    [TestCase("rotate=15")]
    [TestCase("scale=0.8:1.2")]
    [TestCase("translate=0.1")]
    [TestCase("crop=2")]
    [TestCase("erase")]
    [TestCase("noise=0.1")]
    [TestCase("mixup")]
    [TestCase("cutmix")]
    [TestCase("hflip,vflip,rotate=10,scale=0.9:1.1,translate=0.05,crop=2,erase,noise=0.05,mixup,cutmix")]
    public void PreservesShape_AndLabelMixersReturnTargetsThatSumToOne(string spec)
    {
        var images = Batch();
        var (output, targets) = Apply(spec, images);
        Assert.That(output.shape, Is.EqualTo(images.shape));
        bool mixes = spec.Contains("mixup") || spec.Contains("cutmix");
        Assert.That(targets is not null, Is.EqualTo(mixes));
        if (targets is not null)
        {
            Assert.That(targets.shape, Is.EqualTo(new long[] { 8, 10 }));
            Assert.That(Values(targets.sum(1)), Has.All.EqualTo(1f).Within(1e-5));
        }
        Assert.That(Values(images), Is.EqualTo(Values(Batch())), "the input batch is not modified");
    }

    [TestCase("hflip@1")]
    [TestCase("vflip@1")]
    public void FlipTwice_IsIdentity(string spec)
    {
        var images = Batch();
        var once = Apply(spec, images).Images;
        var twice = Apply(spec, once).Images;
        Assert.That(Values(twice), Is.EqualTo(Values(images)));
        Assert.That(Values(once), Is.EqualTo(Values(images.flip(spec.StartsWith('h') ? 3 : 2))));
    }

    [TestCase("hflip", "hflip,scale=1:1")]
    [TestCase("vflip@0.7", "vflip@0.7,rotate=0")]
    [TestCase("hflip,vflip", "hflip,vflip,translate=0")]
    public void AFlipFoldedIntoTheResampling_MirrorsTheSameImagesAsTheFlipAlone(string alone, string folded)
    {
        // Before a geometric technique a flip is a coordinate sign in the one affine resampling; with identity geometry
        // the result must be the flip itself: the same images mirrored (same random draws), to interpolation rounding.
        var images = Batch(n: 32);
        var expected = Values(Apply(alone, images, seed: 5, background: -0.8f).Images);
        var actual = Values(Apply(folded, images, seed: 5, background: -0.8f).Images);
        Assert.That(actual.Zip(expected, (a, b) => Math.Abs(a - b)).Max(), Is.LessThanOrEqualTo(1e-5));
        Assert.That(expected, Is.Not.EqualTo(Values(images)), "some images were mirrored, so the comparison can fail");
    }

    [Test]
    public void FlipWithProbabilityZero_ChangesNothing()
    {
        var images = Batch();
        Assert.That(Values(Apply("hflip@0", images).Images), Is.EqualTo(Values(images)));
    }

    [TestCase("rotate=0")]
    [TestCase("scale=1:1")]
    [TestCase("translate=0")]
    [TestCase("rotate=0,scale=1:1,translate=0")]
    public void RotationZeroAndScaleOne_AreIdentity(string spec)
    {
        var images = Batch();
        var output = Values(Apply(spec, images, background: -0.8f).Images);
        var input = Values(images);
        Assert.That(output.Zip(input, (a, b) => Math.Abs(a - b)).Max(), Is.LessThanOrEqualTo(1e-5));
    }

    [Test]
    public void Rotation_MovesAnOffCentreBlobAroundTheCentre_AsAHandComputedRotationDoes()
    {
        // Each sample's angle is drawn at random, so it is read back from where an off-centre blob went (the centroid's
        // angle), and the whole output image is then compared with a rotation computed here by hand: bilinear sampling
        // of the input at R(θ)·p for every output pixel p, about the image centre. The identity fails both checks.
        const int size = 21, n = 8;
        double centre = (size - 1) / 2.0;
        var blob = new float[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                blob[y * size + x] = (float)Math.Exp(-(Math.Pow(x - (centre + 6), 2) + Math.Pow(y - centre, 2)) / (2 * 1.5 * 1.5));
        var images = tensor(Enumerable.Repeat(blob, n).SelectMany(b => b).ToArray(), [n, 1, size, size]);
        var output = Apply("rotate=90", images).Images;

        var angles = new List<double>();
        for (int i = 0; i < n; i++)
        {
            var result = Values(output[i, 0]);
            double sum = result.Sum(), mx = 0, my = 0;
            for (int k = 0; k < result.Length; k++) { mx += result[k] * (k % size - centre); my += result[k] * (k / size - centre); }
            double theta = -Math.Atan2(my / sum, mx / sum); // the output shows the input turned by −θ
            angles.Add(theta * 180 / Math.PI);
            var expected = RotateByHand(blob, size, theta);
            Assert.That(result.Zip(expected, (a, b) => Math.Abs(a - b)).Max(), Is.LessThan(0.03), $"sample {i}, θ = {theta * 180 / Math.PI:0.0}°");
        }
        Assert.That(angles, Has.All.InRange(-90.5, 90.5));
        Assert.That(angles.Count(a => Math.Abs(a) > 5), Is.GreaterThanOrEqualTo(n / 2), "most samples are visibly turned");
    }

    // out(p) = in(R(θ)·p) about the centre, bilinear, zero outside: what affine_grid + grid_sample with
    // align_corners = false compute for a square image.
    private static float[] RotateByHand(float[] input, int size, double theta)
    {
        double centre = (size - 1) / 2.0, cos = Math.Cos(theta), sin = Math.Sin(theta);
        float At(int x, int y) => x < 0 || y < 0 || x >= size || y >= size ? 0 : input[y * size + x];
        var output = new float[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                double dx = x - centre, dy = y - centre;
                double sx = cos * dx - sin * dy + centre, sy = sin * dx + cos * dy + centre;
                int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                double fx = sx - x0, fy = sy - y0;
                output[y * size + x] = (float)((1 - fx) * (1 - fy) * At(x0, y0) + fx * (1 - fy) * At(x0 + 1, y0)
                    + (1 - fx) * fy * At(x0, y0 + 1) + fx * fy * At(x0 + 1, y0 + 1));
            }
        return output;
    }

    [Test]
    public void Crop_ShiftsEachImageByWholePixels_FillingWithBackground()
    {
        var images = Batch(n: 6, size: 10);
        var output = Apply("crop=2", images, background: -1f).Images;
        for (int i = 0; i < 6; i++)
        {
            var source = images[i, 0];
            var result = output[i, 0];
            bool matched = false;
            for (int dy = -2; dy <= 2 && !matched; dy++)
                for (int dx = -2; dx <= 2 && !matched; dx++)
                {
                    var shifted = full(10, 10, -1f);
                    // result[y, x] = source[y + dy, x + dx] where inside, else background
                    int y0 = Math.Max(0, -dy), y1 = Math.Min(10, 10 - dy), x0 = Math.Max(0, -dx), x1 = Math.Min(10, 10 - dx);
                    shifted[y0..y1, x0..x1] = source[(y0 + dy)..(y1 + dy), (x0 + dx)..(x1 + dx)];
                    matched = result.sub(shifted).abs().max().ToSingle() < 1e-5;
                }
            Assert.That(matched, Is.True, $"image {i} is a whole-pixel shift of at most 2 with background fill");
        }
    }

    [Test]
    public void Erase_SetsOneRectangleToZero_AndLeavesTheRest()
    {
        var images = Batch(n: 16, size: 20).add(1); // all values in [1, 2), so erased pixels are the only zeros
        var output = Apply("erase=0.1:0.2@1", images).Images;
        for (int i = 0; i < 16; i++)
        {
            var zero = output[i, 0].eq(0);
            long erased = zero.sum().ToInt64();
            Assert.That(erased, Is.InRange(0.1 * 400 * 0.5, 0.2 * 400 * 1.5), $"image {i}: erased area");
            var rows = zero.any(1).nonzero().flatten();
            var cols = zero.any(0).nonzero().flatten();
            long boxArea = (rows.max().ToInt64() - rows.min().ToInt64() + 1) * (cols.max().ToInt64() - cols.min().ToInt64() + 1);
            Assert.That(erased, Is.EqualTo(boxArea), $"image {i}: the erased pixels form one rectangle");
            Assert.That(Values(output[i].masked_select(zero.logical_not().unsqueeze(0))), Is.EqualTo(Values(images[i].masked_select(zero.logical_not().unsqueeze(0)))));
        }
    }

    [Test]
    public void Noise_HasTheRequestedStandardDeviation()
    {
        var images = zeros(64, 1, 28, 28);
        var output = Apply("noise=0.25", images).Images;
        Assert.That(output.mean().ToDouble(), Is.EqualTo(0).Within(0.01));
        Assert.That(output.std().ToDouble(), Is.EqualTo(0.25).Within(0.01));
    }

    [Test]
    public void Mixup_BlendsImagesWithTheSameWeightsAsTheirLabels()
    {
        // Each image is constant = its index, so a mixed image's value is λ·i + (1−λ)·j, matching its targets.
        var images = arange(8, ScalarType.Float32).view(8, 1, 1, 1).expand(8, 1, 4, 4).contiguous();
        var (output, targets) = Apply("mixup=0.4", images);
        var fromTargets = targets!.narrow(1, 0, 8).matmul(arange(8, ScalarType.Float32));
        Assert.That(Values(output[.., 0, 0, 0]), Is.EqualTo(Values(fromTargets)).Within(1e-5));
    }

    [Test]
    public void SameSeed_Reproduces_DifferentSeed_Differs()
    {
        const string spec = "hflip,rotate=10,scale=0.9:1.1,erase,noise=0.1,mixup";
        var images = Batch();
        var a = Values(Apply(spec, images, seed: 7).Images);
        var b = Values(Apply(spec, images, seed: 7).Images);
        var c = Values(Apply(spec, images, seed: 8).Images);
        Assert.That(b, Is.EqualTo(a));
        Assert.That(c, Is.Not.EqualTo(a));
    }
}
