namespace OnnxReg.Training.Tests;

public class PeriodicHeapReleaseTests
{
    [Test]
    public void Releases_OnlyOnceAnIntervalHasPassedSinceTheLastRelease()
    {
        var now = TimeSpan.Zero;
        int released = 0;
        var release = new PeriodicHeapRelease(TimeSpan.FromSeconds(1), () => now, () => { released++; return true; });
        var calls = new List<int>();
        foreach (double seconds in new[] { 0.3, 0.9, 1.0, 1.5, 1.99, 2.0, 2.1, 5.0 })
        {
            now = TimeSpan.FromSeconds(seconds);
            release.BetweenBatches();
            calls.Add(released);
        }
        // 1.0: an interval after the start; 2.0: an interval after that release; 5.0: long after.
        Assert.That(calls, Is.EqualTo(new[] { 0, 0, 1, 1, 1, 2, 2, 3 }));
        Assert.That(release.Releases, Is.EqualTo(3));
    }

    [Test]
    public void AZeroInterval_ReleasesBetweenEveryTwoBatches()
    {
        int released = 0;
        var release = new PeriodicHeapRelease(TimeSpan.Zero, () => TimeSpan.Zero, () => { released++; return false; });
        for (int i = 0; i < 4; i++) release.BetweenBatches();
        Assert.That(released, Is.EqualTo(4));
    }
}
