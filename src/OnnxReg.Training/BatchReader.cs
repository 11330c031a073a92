using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace OnnxReg.Training;

/// <summary>
/// The batches of one pass over a <see cref="TensorDataset"/>, in a given order (a shuffled epoch) or in storage order
/// (evaluation), each as normalized images [n, C, H, W] and labels [n]. For a split held in memory a batch is taken
/// when asked for. For a streamed split a background task reads the next <see cref="PrefetchedBatches"/> batches from
/// disk (each batch's images decoded in parallel by the store) while the trainer works on the current one; batches
/// come out strictly in order, and a batch's bytes depend only on its indices, so the values are the same whatever
/// the threads' timing. Dispose it to stop the reading ahead (an interrupted epoch).
/// </summary>
public sealed class BatchReader : IDisposable
{
    /// <summary>How many batches a streamed split reads ahead of the trainer.</summary>
    public const int PrefetchedBatches = 4;

    private readonly TensorDataset _data;
    private readonly Tensor? _order;
    private readonly int _batchSize;
    private int _next; // the first image of the next batch, in the pass's order
    private readonly BlockingCollection<byte[]>? _ready;
    private readonly CancellationTokenSource? _stop;
    private readonly Task? _producer;
    private Exception? _failure;
    private bool _disposed;

    internal BatchReader(TensorDataset data, Tensor? order, int batchSize, int firstBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(firstBatch);
        (_data, _order, _batchSize, _next) = (data, order, batchSize, (int)Math.Min((long)firstBatch * batchSize, data.Count));
    }

    internal BatchReader(TensorDataset data, Data.ImageDataset streamed, Tensor? order, int batchSize, int firstBatch) : this(data, order, batchSize, firstBatch)
    {
        var indices = order is null ? Enumerable.Range(0, data.Count).ToArray() : order.data<long>().Select(i => checked((int)i)).ToArray();
        _ready = new BlockingCollection<byte[]>(PrefetchedBatches);
        _stop = new CancellationTokenSource();
        int first = _next;
        var stop = _stop.Token;
        _producer = Task.Run(() =>
        {
            try
            {
                for (int start = first; start < indices.Length && !stop.IsCancellationRequested; start += batchSize)
                {
                    int length = Math.Min(batchSize, indices.Length - start);
                    var bytes = new byte[(long)length * streamed.SampleSize];
                    streamed.ReadImages(indices.AsSpan(start, length), bytes);
                    _ready.Add(bytes, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                _failure = e;
            }
            finally
            {
                _ready.CompleteAdding();
            }
        });
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
            if (_ready is null)
            {
                images = indices is null ? _data.Slice(_next, length) : _data.Select(indices);
            }
            else
            {
                if (!_ready.TryTake(out var bytes, Timeout.Infinite))
                {
                    // The producer stopped early: only a failure does that while batches remain.
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(_failure ?? new InvalidOperationException("The reading ahead stopped before the pass ended.")).Throw();
                }
                images = _data.Normalize(bytes!, length);
            }
        }
        _next += length;
        return (images, labels);
    }

    /// <summary>Stops reading ahead and waits for the reader thread to finish.</summary>
    public void Dispose()
    {
        if (_stop is null || _disposed) return;
        _disposed = true;
        _stop.Cancel();
        try { _producer!.Wait(); } catch (AggregateException) { }
        _ready!.Dispose();
        _stop.Dispose();
    }
}
