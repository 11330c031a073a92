using OnnxReg.Tests.Shared;

namespace OnnxReg.Training.Tests;

public class LibTorchHeapTests
{
    [Test]
    public void Configure_TakesEffectOnLinuxGlibc_UnlessTheEnvironmentSetsTheThresholds_AndIsIdempotent()
    {
        bool environmentSetsThem = Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null
            || Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null
            || (Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "").Contains("glibc.malloc.");
        bool glibc = OperatingSystem.IsLinux() && File.Exists("/usr/bin/ldd") && !File.Exists("/lib/ld-musl-x86_64.so.1");
        bool first = LibTorchHeap.Configure();
        Assert.That(first, Is.EqualTo(glibc && !environmentSetsThem));
        Assert.That(LibTorchHeap.Configure(), Is.EqualTo(first));
    }

    [Test]
    public void ReleaseFreeMemory_ReturnsFreedHeapMemoryThatSmallObjectsKeepFromTheTop()
    {
        // 256 tensors of 1 MiB come from the heap (below the 32 MiB map threshold); a small tensor made after each keeps
        // its hole from merging into the heap's top, as a batch's leftovers do, so freeing them returns nothing to the
        // system by itself. The release gives their pages back.
        Assume.That(LibTorchHeap.Configure(), "glibc's heap thresholds are not in effect in this process");
        LibTorchHeap.ReleaseFreeMemory();
        var large = new List<TorchSharp.torch.Tensor>();
        var small = new List<TorchSharp.torch.Tensor>();
        for (int i = 0; i < 256; i++)
        {
            large.Add(TorchSharp.torch.ones(256 * 1024));
            small.Add(TorchSharp.torch.ones(16));
        }
        long held = ResidentMiB();
        large.ForEach(t => t.Dispose());
        long freed = ResidentMiB();
        Assert.That(LibTorchHeap.ReleaseFreeMemory(), Is.True);
        long released = ResidentMiB();
        small.ForEach(t => t.Dispose());
        string figures = $"resident {held} MiB with the tensors, {freed} freed, {released} released";
        Assert.That(held - freed, Is.LessThan(64), "freed holes stay resident until released: " + figures);
        Assert.That(freed - released, Is.GreaterThan(192), figures);
    }

    [Test]
    public void RequestHugePages_PutsTheVariableWhereLibTorchReadsIt_UnlessTheEnvironmentChoseAValue()
    {
        // .NET's copy of the environment is the one this process started with; the C library's is what libtorch reads.
        string? chosen = Environment.GetEnvironmentVariable(LibTorchHeap.HugePagesVariable);
        bool on = LibTorchHeap.RequestHugePages();
        if (chosen is not null)
        {
            Assert.That(on, Is.EqualTo(chosen == "1"));
            Assert.That(NativeEnvironment.Get(LibTorchHeap.HugePagesVariable), Is.EqualTo(chosen), "the environment's value is kept");
            return;
        }
        Assert.That(on, Is.EqualTo(OperatingSystem.IsLinux()));
        if (on) Assert.That(NativeEnvironment.Get(LibTorchHeap.HugePagesVariable), Is.EqualTo("1"));
        Assert.That(LibTorchHeap.RequestHugePages(), Is.EqualTo(on));
    }

    [Test]
    public void LibTorch_BacksALargeTensorWithHugePages()
    {
        // In the kernel's madvise mode (this machine's) a page becomes huge only where libtorch asked for it, which it
        // does only if it read the variable before its first allocation: without it the tensor gets none.
        Assume.That(LibTorchHeap.RequestHugePages(), "huge pages are not requested in this process");
        Assume.That(KernelGivesHugePagesWhereAsked(), "this kernel gives no transparent huge pages");
        long before = AnonHugePagesKiB();
        using var tensor = TorchSharp.torch.ones(16 << 20); // 64 MiB, written, so every page is faulted in
        long after = AnonHugePagesKiB();
        Assert.That(after - before, Is.GreaterThanOrEqualTo(16 << 10), $"huge pages grew from {before} to {after} KiB for a 64 MiB tensor");
    }

    [Test]
    public void TheHeapIsReleasedEverySecondWithHugePages_AndEveryTenSecondsWithout()
    {
        Assert.That(LibTorchHeap.ReleaseIntervalFor(hugePages: true), Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(LibTorchHeap.ReleaseIntervalFor(hugePages: false), Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(LibTorchHeap.HugePagesInEffect, Is.EqualTo(LibTorchHeap.RequestHugePages() && KernelGivesHugePagesWhereAsked()));
        Assert.That(LibTorchHeap.ReleaseInterval, Is.EqualTo(LibTorchHeap.ReleaseIntervalFor(LibTorchHeap.HugePagesInEffect)));
    }

    // Read here rather than through LibTorchHeap, so the test does not take the answer from the code it checks.
    private static bool KernelGivesHugePagesWhereAsked()
    {
        const string mode = "/sys/kernel/mm/transparent_hugepage/enabled";
        return File.Exists(mode) && File.ReadAllText(mode) is var text && (text.Contains("[madvise]") || text.Contains("[always]"));
    }

    private static long AnonHugePagesKiB()
    {
        var line = File.ReadLines("/proc/self/smaps_rollup").Single(l => l.StartsWith("AnonHugePages:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    private static long ResidentMiB() => ProcessMemory.StatusBytes("VmRSS") >> 20;
}
