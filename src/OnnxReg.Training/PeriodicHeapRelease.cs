using System.Diagnostics;

namespace OnnxReg.Training;

/// <summary>
/// Calls a release of free memory (<see cref="LibTorchHeap.ReleaseFreeMemory"/>) between two batches when at least an interval
/// has passed since the last one, so its cost — pages faulted in again by the next batches — stays a small share of the
/// time whatever the batch takes: after every batch of a large network, once in dozens of a small one's.
/// </summary>
internal sealed class PeriodicHeapRelease
{
    private readonly TimeSpan _interval;
    private readonly Func<TimeSpan> _clock;
    private readonly Func<bool> _release;
    private TimeSpan _last;

    /// <summary>Measures from now: the first release comes at the first call an interval later.</summary>
    public PeriodicHeapRelease(TimeSpan interval, Func<TimeSpan>? clock = null, Func<bool>? release = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        var stopwatch = Stopwatch.StartNew();
        (_interval, _clock, _release) = (interval, clock ?? (() => stopwatch.Elapsed), release ?? LibTorchHeap.ReleaseFreeMemory);
        _last = _clock();
    }

    /// <summary>How many times memory has been released.</summary>
    public int Releases { get; private set; }

    /// <summary>Called between batches, when one batch's tensors are freed and the next one's not yet made: releases
    /// when the interval has passed since the last release.</summary>
    public void BetweenBatches()
    {
        var now = _clock();
        if (now - _last < _interval) return;
        _release();
        Releases++;
        _last = _clock(); // the release's own time does not count towards the next interval
    }
}
