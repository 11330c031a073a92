using OnnxReg.Data;
using OnnxReg.Data.Synthetic;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests;

/// <summary>The trainer's dataset: bytes held once, batches normalized exactly as the runtime normalizes.</summary>
public class TensorDatasetTests
{
    [TestCase(0L, TestName = "Batches_AreBitForBitTheManagedNormalization_PerChannel_NormalizedPerBatch")]
    [TestCase(TensorDataset.FloatCacheLimitBytes, TestName = "Batches_AreBitForBitTheManagedNormalization_PerChannel_CachedAsFloats")]
    public void Batches_AreBitForBitTheManagedNormalization_PerChannel(long floatCacheLimitBytes)
    {
        var data = ColorShapes.Generate(30, 16, seed: 3);
        var normalization = Normalization.Estimate(data);
        var expected = new float[data.Pixels.Length];
        normalization.Apply(data.Pixels, expected, 16 * 16);
        using var tensors = TensorDataset.From(data, normalization, floatCacheLimitBytes);
        using var scope = NewDisposeScope();
        Assert.That(tensors.Slice(0, 30).data<float>().ToArray(), Is.EqualTo(expected), "exactly equal, not within a tolerance");
        var picked = tensors.Select(tensor(new long[] { 29, 0, 7 })).data<float>().ToArray();
        int size = data.SampleSize;
        Assert.That(picked, Is.EqualTo(expected[(29 * size)..(30 * size)].Concat(expected[..size]).Concat(expected[(7 * size)..(8 * size)])));
        Assert.That(tensors.ImageShape, Is.EqualTo(new long[] { 3, 16, 16 }));
        Assert.That(tensors.Preparation, Is.EqualTo(data.Preparation));
    }

    [Test]
    public void TheImagesAreTheDatasetsOwnBytes_NotACopy()
    {
        var data = DatasetSource.Load(DatasetSource.Embedded).Test.Take(10);
        var pixels = (byte[])data.Pixels.Clone();
        var own = new ImageDataset(pixels, data.Labels, 1, 28, 28, data.ClassNames);
        using var tensors = TensorDataset.From(own, Normalization.None, floatCacheLimitBytes: 0); // the per-batch path
        using var scope = NewDisposeScope();
        pixels[0] = 255;
        Assert.That(tensors.Slice(0, 1)[0, 0, 0, 0].item<float>(), Is.EqualTo(1f), "a change to the array shows in the next batch: one copy of the images");
    }

    [Test]
    public void ASplitUnderTheLimit_IsNormalizedOnceAsFloats_AndOneOverItPerBatch()
    {
        var data = DatasetSource.Load(DatasetSource.Embedded).Test.Take(10);
        long floats = data.Pixels.LongLength * sizeof(float);
        foreach (var (limit, cached) in new[] { (floats, true), (floats - 1, false) })
        {
            var pixels = (byte[])data.Pixels.Clone();
            using var tensors = TensorDataset.From(new ImageDataset(pixels, data.Labels, 1, 28, 28, data.ClassNames), Normalization.None, limit);
            using var scope = NewDisposeScope();
            float before = tensors.Slice(0, 1)[0, 0, 0, 0].item<float>();
            pixels[0] = (byte)(pixels[0] ^ 0xFF);
            float after = tensors.Slice(0, 1)[0, 0, 0, 0].item<float>();
            Assert.That(after == before, Is.EqualTo(cached), cached ? "normalized once: a later change to the bytes is not seen" : "normalized per batch from the bytes");
        }
    }

    [Test]
    public void FromNormalized_RefusesTensorsThatDoNotFit()
    {
        string[] names = ["a", "b"];
        Assert.That(Assert.Throws<ArgumentException>(() => TensorDataset.FromNormalized(zeros(4, 8), zeros(4, ScalarType.Int64), names, Normalization.None))!.Message,
            Does.Contain("Images must be float32 [N, C, H, W]"));
        Assert.That(Assert.Throws<ArgumentException>(() => TensorDataset.FromNormalized(zeros(4, 1, 2, 2), zeros(3, ScalarType.Int64), names, Normalization.None))!.Message,
            Does.Contain("Labels must be int64 [4]"));
        Assert.That(Assert.Throws<ArgumentException>(() => TensorDataset.FromNormalized(zeros(2, 1, 2, 2), tensor(new long[] { 0, 2 }), names, Normalization.None))!.Message,
            Does.Contain("class indices below 2"));
    }
}
