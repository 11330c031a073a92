using OnnxReg.Data.Storage;

namespace OnnxReg.Data.Tests.Storage;

/// <summary>A dataset whose pixels live in an <see cref="IImageStore"/>: read as the in-memory one reads, subsets map
/// indices instead of copying, and the normalization is estimated in one pass with the in-memory result.</summary>
public class StreamedImageDatasetTests
{
    private sealed class ArrayStore(byte[] pixels, int sampleSize) : IImageStore
    {
        public int Reads;
        public int Count => pixels.Length / sampleSize;
        public int SampleSize => sampleSize;

        public void Read(ReadOnlySpan<int> indices, Span<byte> destination)
        {
            Reads++;
            for (int i = 0; i < indices.Length; i++)
                pixels.AsSpan(indices[i] * sampleSize, sampleSize).CopyTo(destination.Slice(i * sampleSize, sampleSize));
        }
    }

    private static (ImageDataset Memory, ImageDataset Streamed, ArrayStore Store) Pair(int count, int channels, int side)
    {
        var random = new Random(7);
        var pixels = new byte[count * channels * side * side];
        random.NextBytes(pixels);
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 3)).ToArray();
        var store = new ArrayStore(pixels, channels * side * side);
        return (new ImageDataset(pixels, labels, channels, side, side, ["a", "b", "c"]), new ImageDataset(store, labels, channels, side, side, ["a", "b", "c"]), store);
    }

    [Test]
    public void ReadsAndViews_GiveTheInMemoryBytes_AndPixelsSaysHowToReadAStreamedSplit()
    {
        var (memory, streamed, _) = Pair(12, 3, 4);
        var buffer = new byte[5 * memory.SampleSize];
        Assert.That(streamed.View(3, 5, buffer).ToArray(), Is.EqualTo(memory.View(3, 5, []).ToArray()));
        var picked = new byte[2 * memory.SampleSize];
        streamed.ReadImages([11, 0], picked);
        Assert.That(picked, Is.EqualTo(memory.Pixels[(11 * 48)..].Concat(memory.Pixels[..48]).ToArray()));
        Assert.That(streamed.IsStreamed && !memory.IsStreamed);
        Assert.That(streamed.ByteCount, Is.EqualTo(12 * 48));
        var error = Assert.Throws<InvalidOperationException>(() => _ = streamed.Pixels);
        Assert.That(error!.Message, Does.Contain("streamed from disk").And.Contain("ReadImages"));
    }

    [Test]
    public void ASubsetOfASubset_MapsToTheStore_WithoutCopying()
    {
        var (memory, streamed, store) = Pair(10, 1, 2);
        var nested = streamed.Subset([9, 4, 2, 7]).Subset([3, 0]).Take(2);
        int reads = store.Reads;
        Assert.That(nested.IsStreamed);
        Assert.That(store.Reads, Is.EqualTo(reads), "making subsets reads nothing");
        var bytes = new byte[2 * 4];
        nested.ReadImages(0, 2, bytes);
        Assert.That(bytes, Is.EqualTo(memory.Subset([7, 9]).Pixels));
        Assert.That(nested.Labels, Is.EqualTo(new byte[] { memory.Labels[7], memory.Labels[9] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => nested.ReadImages([2], new byte[4]));
    }

    [TestCase(1)]
    [TestCase(3)]
    public void TheNormalization_OfAStreamedSplit_IsTheInMemoryOne(int channels)
    {
        var (memory, streamed, store) = Pair(5000, channels, 8); // more than one chunk of images
        Assert.That(Normalization.Estimate(streamed), Is.EqualTo(Normalization.Estimate(memory)));
        Assert.That(store.Reads, Is.GreaterThan(1), "read in chunks, never whole");
    }

    [Test]
    public void AStoreThatDisagreesWithTheLabelsOrShape_IsRefused()
    {
        var store = new ArrayStore(new byte[40], 4);
        Assert.Throws<ArgumentException>(() => new ImageDataset(store, new byte[9], 1, 2, 2, ["a", "b"]));
        Assert.Throws<ArgumentException>(() => new ImageDataset(store, new byte[10], 1, 2, 3, ["a", "b"]));
        Assert.That(new ImageDataset(store, new byte[10], 1, 2, 2, ["a", "b"]).Count, Is.EqualTo(10));
    }

    [Test]
    public void Perturbations_OfAStreamedSplit_ReadItInWhenItFits_AndRefuseItInWordsWhenNot()
    {
        var (memory, streamed, _) = Pair(6, 1, 4);
        Assert.That(ImagePerturbations.Rotate(streamed, 90).Pixels, Is.EqualTo(ImagePerturbations.Rotate(memory, 90).Pixels));
        long limit = ResourceLimits.MaxInMemoryImageBytes;
        try
        {
            ResourceLimits.MaxInMemoryImageBytes = 50;
            var error = Assert.Throws<OnnxRegException>(() => ImagePerturbations.GaussianNoise(streamed, 0.1, seed: 1));
            Assert.That(error!.Message, Does.Contain("these 6 images take 96 B decoded, over the 50 B").And.Contain("ONNXREG_MAX_IN_MEMORY_IMAGES"));
        }
        finally
        {
            ResourceLimits.MaxInMemoryImageBytes = limit;
        }
    }
}
