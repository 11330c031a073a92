using System.Diagnostics;

namespace OnnxReg.Training;

/// <summary>
/// Between two training batches, decides which of the heap's two upkeeps to do, so a batch never pays for both:
/// a release of free memory (<see cref="LibTorchHeap.ReleaseFreeMemory"/>, which collects first) when at least an
/// interval has passed since the last one, so its cost — pages faulted in again by the next batches — stays a small
/// share of the time whatever the batch takes (after every batch of a large network, once in many of a small one's);
/// otherwise a collection of stray native objects (<see cref="LibTorchHeap.CollectStrayNativeObjects"/>) once every
/// few batches, so a small network's Scalars do not split the holes its next batches would reuse.
/// </summary>
internal sealed class PeriodicHeapRelease
{
    private readonly TimeSpan _interval;
    private readonly int _batchesBetweenCollections;
    private readonly Func<TimeSpan> _clock;
    private readonly Func<bool> _release;
    private readonly Action _collect;
    private TimeSpan _lastRelease;
    private int _batchesSinceCollection;

    /// <summary>Measures from now: the first release comes at the first call an interval later, the first collection
    /// (if no release came first) at the <paramref name="batchesBetweenCollections"/>-th call.</summary>
    public PeriodicHeapRelease(TimeSpan interval, int batchesBetweenCollections,
        Func<TimeSpan>? clock = null, Func<bool>? release = null, Action? collect = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchesBetweenCollections, 1);
        var stopwatch = Stopwatch.StartNew();
        (_interval, _batchesBetweenCollections) = (interval, batchesBetweenCollections);
        (_clock, _release, _collect) = (clock ?? (() => stopwatch.Elapsed), release ?? LibTorchHeap.ReleaseFreeMemory,
            collect ?? LibTorchHeap.CollectStrayNativeObjects);
        _lastRelease = _clock();
    }

    /// <summary>Called between batches, when one batch's tensors are freed and the next one's not yet made.</summary>
    public void BetweenBatches()
    {
        _batchesSinceCollection++;
        if (_clock() - _lastRelease >= _interval)
        {
            _release();
            _lastRelease = _clock(); // the release's own time does not count towards the next interval
            _batchesSinceCollection = 0; // a release collects too
        }
        else if (_batchesSinceCollection >= _batchesBetweenCollections)
        {
            _collect();
            _batchesSinceCollection = 0;
        }
    }
}
