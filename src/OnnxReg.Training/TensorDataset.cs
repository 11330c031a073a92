using OnnxReg.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training;

/// <summary>
/// A labelled dataset as the trainer takes it: images [N, C, H, W] handed out one batch at a time as normalized float32
/// (<see cref="Slice"/>, <see cref="Select"/>), labels [N] (int64). Made from an <see cref="ImageDataset"/>, the images
/// stay the dataset's own bytes — a tensor over the same memory, not a copy — and each batch is normalized through a
/// 256-entry table per channel, so a 50,000-image 64 × 64 RGB folder holds 614 MB instead of four times that, and the
/// values are bit for bit those <see cref="Normalization.Apply(ReadOnlySpan{byte}, Span{float}, int)"/> gives. When the
/// whole split as float32 takes at most <see cref="FloatCacheLimitBytes"/> (full Fashion-MNIST: 172 MB), it is
/// normalized once, through the same tables, and batches are gathered from the floats: the per-batch conversion cost
/// the MLP a quarter of its epoch against PyTorch. Made from float tensors (<see cref="FromNormalized"/>), batches are
/// views of them. Made from a streamed <see cref="ImageDataset"/> (<see cref="ImageDataset.IsStreamed"/>), nothing of the
/// images is held: each batch is read from disk when asked for, through the same tables, so the values are the same as
/// in memory, and <see cref="Read"/> reads an epoch's batches ahead of the trainer on other threads. It owns its
/// tensors; dispose it when training ends.
/// </summary>
public sealed class TensorDataset : IDisposable
{
    private readonly Tensor? _pixels;     // uint8 [N, C, H, W] over the ImageDataset's array
    private readonly Tensor? _offsets;    // int64 [1, C, 1, 1]: channel c's first entry in the table
    private readonly Tensor? _table;      // float32 [C · 256]: normalized value of each pixel value per channel
    private readonly Tensor? _normalized; // float32 [N, C, H, W] when made from float tensors, or small enough to cache
    private readonly ImageDataset? _streamed; // the split read from disk a batch at a time (no _pixels then)
    // add_'s factor, held for the dataset's life: TorchSharp's add_(tensor) makes an implicit Scalar that only the
    // finalizer frees, and a collection started by another thread can free it while libtorch reads it (seen as "alpha
    // must not be a floating point number" in a 100,000-image run whose images were decoded on a second thread).
    private readonly Scalar _one = 1.ToScalar();

    /// <summary>The largest split (as float32 bytes) that is normalized once and kept as floats; larger ones stay bytes
    /// and are normalized a batch at a time. 256 MiB.</summary>
    public const long FloatCacheLimitBytes = 256L << 20;

    private TensorDataset(Tensor labels, long[] shape, IReadOnlyList<string> classNames, Normalization normalization,
        Tensor? pixels, Tensor? offsets, Tensor? table, Tensor? normalized, ImageDataset? streamed = null)
    {
        _streamed = streamed;
        Labels = labels;
        ImageShape = shape;
        ClassNames = classNames;
        Normalization = normalization;
        (_pixels, _offsets, _table, _normalized) = (pixels, offsets, table, normalized);
    }

    /// <summary>Class indices, [N].</summary>
    public Tensor Labels { get; }

    /// <summary>The number of images.</summary>
    public int Count => (int)Labels.shape[0];

    /// <summary>The shape of one image: [C, H, W].</summary>
    public IReadOnlyList<long> ImageShape { get; }

    /// <summary>The number of classes of the source dataset.</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>The class names of the source dataset, in label order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>How the source images were decoded from files, or null (IDX data, float tensors).</summary>
    public ImagePreparation? Preparation { get; private init; }

    /// <summary>The normalization applied to the pixels.</summary>
    public Normalization Normalization { get; }

    /// <summary>Normalized images <paramref name="start"/> … <paramref name="start"/> + <paramref name="length"/> − 1, [length, C, H, W].</summary>
    public Tensor Slice(long start, long length)
    {
        if (_normalized is not null) return _normalized.narrow(0, start, length);
        if (_pixels is not null) return Normalize(_pixels.narrow(0, start, length));
        var bytes = new byte[length * _streamed!.SampleSize];
        _streamed.ReadImages((int)start, (int)length, bytes);
        return Normalize(bytes, (int)length);
    }

    /// <summary>The normalized images at <paramref name="indices"/> (int64 [n]), in that order, [n, C, H, W].</summary>
    public Tensor Select(Tensor indices)
    {
        if (_normalized is not null) return _normalized.index_select(0, indices);
        if (_pixels is not null) return Normalize(_pixels.index_select(0, indices));
        var wanted = indices.data<long>().Select(i => checked((int)i)).ToArray();
        var bytes = new byte[(long)wanted.Length * _streamed!.SampleSize];
        _streamed.ReadImages(wanted, bytes);
        return Normalize(bytes, wanted.Length);
    }

    /// <summary>True when the images are read from disk a batch at a time.</summary>
    public bool IsStreamed => _streamed is not null;

    /// <summary>Reads the batches of one pass over the data — in <paramref name="order"/> (int64 [N], a permutation)
    /// or in storage order when null — from batch <paramref name="firstBatch"/> on. In memory, each batch is taken when
    /// asked for; streamed, each batch is read from disk when asked for (decoded in parallel, on the caller's thread),
    /// with the same values as in memory.</summary>
    public BatchReader Read(Tensor? order, int batchSize, int firstBatch = 0) =>
        _streamed is null ? new BatchReader(this, order, batchSize, firstBatch) : new BatchReader(this, _streamed, order, batchSize, firstBatch);

    private Tensor Normalize(Tensor pixels) => Normalize(_table!, _offsets!, _one, pixels);

    // table[offset(c) + pixel] for every value: one gather, the same float32 values as the managed normalization. The
    // gather's int64 positions (8 bytes a value: 79 MB for a batch of 128 colour images of 160 × 160) are freed at once,
    // not left to the batch's dispose scope, where they would be held through the forward and backward passes.
    private static Tensor Normalize(Tensor table, Tensor offsets, Scalar one, Tensor pixels)
    {
        using var positions = pixels.to(ScalarType.Int64).add_(offsets, one); // add_ returns the same tensor
        return table.take(positions);
    }

    /// <summary>Normalizes the first <paramref name="count"/> images of <paramref name="bytes"/> (read from a streamed
    /// split) into a new float32 tensor [count, C, H, W].</summary>
    internal Tensor Normalize(byte[] bytes, int count)
    {
        if (count == 0) return empty([0, .. ImageShape], ScalarType.Float32);
        using var flat = frombuffer(bytes, ScalarType.Byte, count: count * _streamed!.SampleSize);
        using var pixels = flat.view([count, .. ImageShape]);
        return Normalize(pixels);
    }

    /// <summary>The memory a split of <paramref name="count"/> images of <paramref name="sampleSize"/> bytes takes as the
    /// trainer holds it: its bytes, plus its float32 copy when that is at most <see cref="FloatCacheLimitBytes"/>;
    /// nothing when it is streamed from disk. <paramref name="cachesFloats"/>: false for a split read once (the test
    /// split), which is never held as floats.</summary>
    public static long HeldBytes(long count, long sampleSize, bool streamed, bool cachesFloats = true)
    {
        if (streamed) return 0;
        long bytes = count * sampleSize;
        return cachesFloats && bytes * sizeof(float) <= FloatCacheLimitBytes ? bytes * (1 + sizeof(float)) : bytes;
    }

    /// <summary>The dataset over <paramref name="data"/>'s bytes, normalized batch by batch with <paramref name="normalization"/>
    /// — or once, up front, when the split takes at most <paramref name="floatCacheLimitBytes"/> as float32 (0: never).
    /// The image array must not be changed while the dataset is in use: the tensor shares it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The normalization is invalid or made for another channel count.</exception>
    public static TensorDataset From(ImageDataset data, Normalization normalization, long floatCacheLimitBytes = FloatCacheLimitBytes)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(normalization);
        normalization.Validate(data.Channels);
        long[] shape = [data.Channels, data.Height, data.Width];
        var table = new float[data.Channels * 256];
        var values = Enumerable.Range(0, 256).Select(v => (byte)v).ToArray();
        for (int c = 0; c < data.Channels; c++)
            new Normalization(normalization.MeanOf(c), normalization.StdOf(c)).Apply(values, table.AsSpan(c * 256, 256));
        var labels = data.Labels.Select(l => (long)l).ToArray();
        // Owned by the dataset alone: made inside a caller's dispose scope (a split prepared on first use), they
        // must not be freed when that scope ends. An empty array cannot back a tensor over its memory.
        var offsets = (arange(data.Channels, ScalarType.Int64) * 256).view(1, data.Channels, 1, 1).DetachFromDisposeScope();
        var lookup = tensor(table).DetachFromDisposeScope();
        if (data.IsStreamed)
            return new TensorDataset(tensor(labels, [data.Count]).DetachFromDisposeScope(), shape, data.ClassNames, normalization,
                pixels: null, offsets, lookup, normalized: null, streamed: data) { Preparation = data.Preparation };
        Tensor pixels;
        if (data.Count == 0)
            pixels = zeros([0, .. shape], ScalarType.Byte);
        else
            using (var flat = frombuffer(data.Pixels, ScalarType.Byte)) pixels = flat.view([data.Count, .. shape]);
        Tensor? normalized = null;
        if (data.Count > 0 && data.Pixels.LongLength * sizeof(float) <= floatCacheLimitBytes)
        {
            // A few MB of images at a time: the gather's int64 indices take 8 bytes per pixel value (4,096 images of
            // 96 × 96 RGB at once were 0.9 GB of indices, more than the floats they made).
            normalized = empty([data.Count, .. shape], ScalarType.Float32).DetachFromDisposeScope();
            int chunk = (int)Math.Clamp((8L << 20) / (data.SampleSize * sizeof(long)), 1, 4096);
            using var one = 1.ToScalar();
            for (int start = 0; start < data.Count; start += chunk)
            {
                using var scope = NewDisposeScope();
                int length = Math.Min(chunk, data.Count - start);
                normalized.narrow(0, start, length).copy_(Normalize(lookup, offsets, one, pixels.narrow(0, start, length)));
            }
        }
        return new TensorDataset(
            tensor(labels, [data.Count]).DetachFromDisposeScope(), shape, data.ClassNames, normalization,
            pixels.DetachFromDisposeScope(), offsets, lookup, normalized)
        {
            Preparation = data.Preparation,
        };
    }

    /// <summary>A dataset over images that are already normalized float32 tensors [N, C, H, W] (and int64 labels [N]);
    /// it takes ownership of both.</summary>
    /// <exception cref="ArgumentException">The shapes or types do not fit, or a label is not a class index.</exception>
    public static TensorDataset FromNormalized(Tensor images, Tensor labels, IReadOnlyList<string> classNames, Normalization normalization)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(normalization);
        if (images.dim() != 4 || images.dtype != ScalarType.Float32)
            throw new ArgumentException($"Images must be float32 [N, C, H, W]; received {images.dtype} [{string.Join(", ", images.shape)}].", nameof(images));
        if (labels.dim() != 1 || labels.dtype != ScalarType.Int64 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"Labels must be int64 [{images.shape[0]}]; received {labels.dtype} [{string.Join(", ", labels.shape)}].", nameof(labels));
        using var smallest = labels.numel() > 0 ? labels.min() : null;
        using var largest = labels.numel() > 0 ? labels.max() : null;
        if (smallest is not null && (smallest.item<long>() < 0 || largest!.item<long>() >= classNames.Count))
            throw new ArgumentException($"Labels must be class indices below {classNames.Count}.", nameof(labels));
        return new TensorDataset(labels.DetachFromDisposeScope(), images.shape[1..], classNames, normalization,
            pixels: null, offsets: null, table: null, normalized: images.DetachFromDisposeScope());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Labels.Dispose();
        _pixels?.Dispose();
        _offsets?.Dispose();
        _table?.Dispose();
        _normalized?.Dispose();
        _one.Dispose();
    }
}
