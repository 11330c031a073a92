using static TorchSharp.torch;

namespace OnnxReg.Training;

/// <summary>
/// The batches of one pass over a <see cref="TensorDataset"/>, in a given order (a shuffled epoch) or in storage order
/// (evaluation), each as normalized images [n, C, H, W] and labels [n]. For a split held in memory a batch is taken
/// when asked for. For a streamed split the batch's images are read from disk when it is asked for, decoded in
/// parallel on every core by the store, on the caller's thread: a batch's bytes depend only on its indices, so the
/// values are the same as in memory.
/// </summary>
/// <remarks>
/// Batches are not read ahead on another thread while the trainer works, though that would hide the decoding: TorchSharp
/// passes the Scalars it converts from numbers (<c>add_(tensor)</c>'s factor 1, <c>x.mul(0.5)</c>, throughout
/// augmentation) to libtorch without keeping them alive, so a garbage collection set off by another thread's
/// allocations — a reader decoding images — can finalize one while libtorch reads it. A 100,000-image epoch read
/// ahead failed so ("For integral input tensors, argument alpha must not be a floating point number"). Decoding on the
/// trainer's thread means no collection starts while a libtorch call is in flight; on the benchmark machine it costs
/// a streamed 64-pixel CNN epoch a few per cent (BENCHMARKS.md).
/// </remarks>
public sealed class BatchReader : IDisposable
{
    private readonly TensorDataset _data;
    private readonly Tensor? _order;
    private readonly int _batchSize;
    private int _next; // the first image of the next batch, in the pass's order
    private readonly Data.ImageDataset? _streamed;
    private readonly int[]? _indices; // a streamed pass's order, as image indices
    private byte[]? _buffer; // a streamed batch's bytes, reused from batch to batch

    internal BatchReader(TensorDataset data, Tensor? order, int batchSize, int firstBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(firstBatch);
        (_data, _order, _batchSize, _next) = (data, order, batchSize, (int)Math.Min((long)firstBatch * batchSize, data.Count));
    }

    internal BatchReader(TensorDataset data, Data.ImageDataset streamed, Tensor? order, int batchSize, int firstBatch) : this(data, order, batchSize, firstBatch)
    {
        _streamed = streamed;
        _indices = order is null ? Enumerable.Range(0, data.Count).ToArray() : order.data<long>().Select(i => checked((int)i)).ToArray();
    }

    /// <summary>True while batches remain.</summary>
    public bool HasNext => _next < _data.Count;

    /// <summary>The next batch: normalized images and their labels, made in the caller's dispose scope.</summary>
    /// <exception cref="InvalidOperationException">The pass is over.</exception>
    /// <exception cref="InvalidDataException">A streamed image no longer decodes (the file changed since the pass began).</exception>
    /// <exception cref="IOException">A streamed image cannot be read.</exception>
    public (Tensor Images, Tensor Labels) Next()
    {
        if (!HasNext) throw new InvalidOperationException("The pass over the data is over; no batch remains.");
        int length = Math.Min(_batchSize, _data.Count - _next);
        Tensor labels;
        Tensor images;
        var indices = _order?.narrow(0, _next, length); // in the caller's dispose scope, as the batch is
        {
            labels = indices is null ? _data.Labels.narrow(0, _next, length) : _data.Labels.index_select(0, indices);
            if (_streamed is null)
            {
                images = indices is null ? _data.Slice(_next, length) : _data.Select(indices);
            }
            else
            {
                _buffer ??= new byte[(long)Math.Min(_batchSize, _data.Count) * _streamed.SampleSize];
                _streamed.ReadImages(_indices.AsSpan(_next, length), _buffer);
                images = _data.Normalize(_buffer, length);
            }
        }
        _next += length;
        return (images, labels);
    }

    /// <summary>Ends the pass; nothing is held beyond the reader's buffer, which the collector takes.</summary>
    public void Dispose() => _buffer = null;
}
