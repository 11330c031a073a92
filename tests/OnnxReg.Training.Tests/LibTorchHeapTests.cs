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

    private static long ResidentMiB() => ProcessMemory.StatusBytes("VmRSS") >> 20;
}
