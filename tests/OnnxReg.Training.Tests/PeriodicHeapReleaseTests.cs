namespace OnnxReg.Training.Tests;

public class PeriodicHeapReleaseTests
{
    [Test]
    public void Releases_OnlyOnceAnIntervalHasPassedSinceTheLastRelease()
    {
        var now = TimeSpan.Zero;
        int released = 0;
        var upkeep = new PeriodicHeapRelease(TimeSpan.FromSeconds(1), batchesBetweenCollections: 100, () => now,
            () => { released++; return true; }, () => { });
        var calls = new List<int>();
        foreach (double seconds in new[] { 0.3, 0.9, 1.0, 1.5, 1.99, 2.0, 2.1, 5.0 })
        {
            now = TimeSpan.FromSeconds(seconds);
            upkeep.BetweenBatches();
            calls.Add(released);
        }
        // 1.0: an interval after the start; 2.0: an interval after that release; 5.0: long after.
        Assert.That(calls, Is.EqualTo(new[] { 0, 0, 1, 1, 1, 2, 2, 3 }));
    }

    [Test]
    public void AZeroInterval_ReleasesBetweenEveryTwoBatches_AndNeverCollectsASecondTime()
    {
        int released = 0, collected = 0;
        var upkeep = new PeriodicHeapRelease(TimeSpan.Zero, batchesBetweenCollections: 1, () => TimeSpan.Zero,
            () => { released++; return false; }, () => collected++);
        for (int i = 0; i < 4; i++) upkeep.BetweenBatches();
        Assert.That((released, collected), Is.EqualTo((4, 0)));
    }

    [Test]
    public void FastBatches_AreCollectedEveryFewBatches_AndAReleaseRestartsTheCount()
    {
        var now = TimeSpan.Zero;
        var events = new List<string>();
        var upkeep = new PeriodicHeapRelease(TimeSpan.FromSeconds(1), batchesBetweenCollections: 3, () => now,
            () => { events.Add($"release {now.TotalSeconds}"); return true; }, () => events.Add($"collect {now.TotalSeconds}"));
        foreach (double seconds in new[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 1.0, 1.1, 1.2, 1.3 })
        {
            now = TimeSpan.FromSeconds(seconds);
            upkeep.BetweenBatches();
        }
        // Batches 3 and 6 are collected; the 8th (at 1.0 s) is released, which collects too, so the count restarts
        // there and the next collection is 3 batches later (1.3 s).
        Assert.That(events, Is.EqualTo(new[] { "collect 0.3", "collect 0.6", "release 1", "collect 1.3" }));
    }
}
