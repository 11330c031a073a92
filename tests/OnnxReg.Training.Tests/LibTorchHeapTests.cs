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
}
