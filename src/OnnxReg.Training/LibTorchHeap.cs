using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OnnxReg.Training;

/// <summary>
/// How libtorch's CPU tensors get their memory, set up for training: libtorch takes every tensor from the C library's
/// <c>malloc</c>, and with glibc's defaults a batch's large activations are mapped fresh from the kernel and unmapped
/// again each time — page faults on every batch. Measured on a 2-core EPYC with TorchSharp 0.107: the first
/// convolution of the CNN (1 → 32 channels, 28 × 28, batch 128, a 12.8 MB output) took 7–11 ms forward instead of
/// 0.9 ms, and CNN epochs were 12–15 % longer than with the heap kept (BENCHMARKS.md). glibc is meant to raise its
/// threshold after the first such free, and in PyTorch's Python process it does; in the .NET process it did not (why
/// was not traced), so the thresholds are set here.
/// </summary>
/// <remarks>
/// Keeping freed buffers in the heap only pays if they are reused, and a small native object that outlives its batch —
/// a TorchSharp <c>Scalar</c> converted implicitly from a number is freed only by the garbage collector's finalizer —
/// splits the hole they leave so that the next batch's tensors no longer fit (the heap then grows by a tensor per
/// step). The trainer's own hot path disposes what it creates (<see cref="Optimizers.InPlaceOptimizers"/>), and calls
/// <see cref="CollectStrayNativeObjects"/> every <see cref="BatchesBetweenCollections"/> batches for the rest
/// (augmentation, penalties), or <see cref="ReleaseFreeMemory"/> instead when <see cref="ReleaseInterval"/> has passed
/// (<c>PeriodicHeapRelease</c>). Only on Linux with glibc; a process that sets glibc's own variables
/// (<c>MALLOC_MMAP_THRESHOLD_</c>, <c>MALLOC_TRIM_THRESHOLD_</c>, <c>GLIBC_TUNABLES</c>) keeps them.
/// <para>The mapped activations still cost a page fault per 4 KiB on every batch, so libtorch is also asked for
/// transparent huge pages (<see cref="RequestHugePages"/>): one fault per 2 MiB.</para>
/// </remarks>
public static class LibTorchHeap
{
    /// <summary>Allocations below this size come from the heap and are reused; larger ones are mapped, and returned to
    /// the system when freed (32 MiB, glibc's own ceiling for its moving threshold). Measured with the cnn preset at
    /// 160 × 160, batch 128: at 256 MiB the heap kept the freed activations of every size and fragmented, peaking at
    /// 3.8 GB where PyTorch peaks at 1.9; at 32 MiB it peaked at 2.2 GB with the same epoch time, and the 28 × 28 CNN
    /// keeps its 12.8 MB buffers in the heap as before.</summary>
    public const int MapThresholdBytes = 32 << 20;

    /// <summary>Free memory kept at the top of the heap before it is returned to the system (512 MiB).</summary>
    public const int TrimThresholdBytes = 512 << 20;

    /// <summary>The most training batches between two collections (<see cref="CollectStrayNativeObjects"/>, or the one
    /// <see cref="ReleaseFreeMemory"/> does).</summary>
    public const int BatchesBetweenCollections = 32;

    /// <summary>The least time between two <see cref="ReleaseFreeMemory"/> calls during training in this process:
    /// <see cref="ReleaseIntervalFor"/> of whether its large tensors get huge pages (<see cref="HugePagesInEffect"/>).</summary>
    public static TimeSpan ReleaseInterval => ReleaseIntervalFor(HugePagesInEffect);

    /// <summary>
    /// The least time between two releases: one second where tensors of 2 MiB or more get huge pages, ten seconds
    /// where they do not. Most of a release's cost is the pages the next batches fault in again, and with 4 KiB pages it
    /// is about a second on a 2-core EPYC whatever the network: released every second, the cnn at 64 × 64 (0.5 s a
    /// batch) took 57 and 52 s an epoch on 5,000 streamed images against 21 and 26 s with the heap kept; ten seconds keep
    /// that under a tenth of the time. With huge pages the same epoch took 16.6 and 15.9 s released every second
    /// against 17.6 and 14.0 s every ten, at a lower peak (643 and 704 against 734 and 784 MiB), and a 2,000-image resnet
    /// epoch at 64 × 64 (9 s, which ten seconds may not release at all) peaked at 902 and 878 MiB against 1,065 and
    /// 1,178.
    /// </summary>
    public static TimeSpan ReleaseIntervalFor(bool hugePages) => TimeSpan.FromSeconds(hugePages ? 1 : 10);

    /// <summary>Whether libtorch gives this process's large tensors huge pages: it was asked to
    /// (<see cref="RequestHugePages"/>) and the kernel's transparent huge pages are on for regions that ask
    /// (<c>/sys/kernel/mm/transparent_hugepage/enabled</c> at <c>madvise</c> or <c>always</c>).</summary>
    public static bool HugePagesInEffect => HugePagesOn.Value;

    /// <summary>The variable libtorch (2.2 and later) reads at its first allocation: at 1 it aligns tensors to the page
    /// and asks the kernel for transparent huge pages (<c>madvise(MADV_HUGEPAGE)</c>) for every tensor of 2 MiB or
    /// more; unset, as in PyTorch, it does neither.</summary>
    public const string HugePagesVariable = "THP_MEM_ALLOC_ENABLE";

    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_THRESHOLD = -3;
    private static readonly Lazy<bool> Configured = new(ConfigureOnce);
    private static readonly Lazy<bool> HugePagesRequested = new(RequestHugePagesOnce);
    private static readonly Lazy<bool> HugePagesOn = new(() => RequestHugePages() && KernelGivesHugePages());

#pragma warning disable CA2255 // A library's module initializer is the one place that runs before any of its TorchSharp calls.
    [ModuleInitializer]
    internal static void RequestHugePagesOnLoad() => RequestHugePages();
#pragma warning restore CA2255

    /// <summary>
    /// Puts <see cref="HugePagesVariable"/>=1 in the C library's environment, once per process, so libtorch backs its
    /// large tensors with 2 MiB pages where the kernel allows them (<c>/sys/kernel/mm/transparent_hugepage/enabled</c>
    /// at <c>madvise</c> or <c>always</c>). A batch's activations above <see cref="MapThresholdBytes"/> are mapped
    /// fresh each time, and each 4 KiB page of them faulted in costs the kernel time: measured on a 2-core EPYC
    /// (Linux, <c>madvise</c>), the cnn at 160 × 160 on 2,000 streamed images took 212.1 s an epoch, 225 s of it in the
    /// kernel (33 million page faults), and 53.5 s with huge pages (28 s, 0.8 million), with the same weights to the
    /// bit and the same peak (2.17 GiB). Runs from this library's module initializer, before any of its TorchSharp
    /// calls (libtorch reads the variable at its first allocation). A value already in the environment is kept:
    /// <c>THP_MEM_ALLOC_ENABLE=0</c> turns it off. Returns whether it is on: false on other systems (libtorch advises
    /// huge pages only on Linux) or where the environment set another value.
    /// </summary>
    public static bool RequestHugePages() => HugePagesRequested.Value;

    /// <summary>
    /// Sets glibc's thresholds (<see cref="MapThresholdBytes"/>, <see cref="TrimThresholdBytes"/>) once per process;
    /// later calls do nothing. Returns whether they are in effect: false on other systems or C libraries, or where the
    /// process's environment already sets them.
    /// </summary>
    public static bool Configure() => Configured.Value;

    /// <summary>Runs the garbage collector and the finalizers it queues, so native objects that were left to them
    /// (TorchSharp scalars, tensors outside a dispose scope) are freed now rather than after thousands of batches.</summary>
    public static void CollectStrayNativeObjects()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    /// <summary>
    /// Frees what only the garbage collector would (<see cref="CollectStrayNativeObjects"/>), then returns the heap's free
    /// pages to the system — wherever they lie, not only at its top as the trim threshold does (glibc's
    /// <c>malloc_trim(0)</c>). A batch's buffers below <see cref="MapThresholdBytes"/> come from the heap, and small native
    /// objects that outlive the batch keep the holes they leave from merging, so the heap otherwise holds more and more
    /// free memory as an epoch goes on. Measured with the cnn preset at 160 × 160 (batch 128, streamed images), each
    /// batch's exact peak (VmHWM) on 2,048 images: 1.90–2.21 GB with the heap kept, 1.84–1.89 GB collected and released
    /// after every batch; the whole run's peak on 4,000 images: 2,124 MiB collected and released, 2,201 released without
    /// collecting, 2,045 for PyTorch's process tree (BENCHMARKS.md). The release is done only where <see cref="Configure"/> is in effect (not on other systems, nor
    /// where the process sets glibc's variables itself). Returns whether memory was returned.
    /// </summary>
    public static bool ReleaseFreeMemory()
    {
        CollectStrayNativeObjects();
        if (!Configure()) return false;
        try
        {
            return malloc_trim(0) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static bool RequestHugePagesOnce()
    {
        if (!OperatingSystem.IsLinux()) return false;
        if (NativeEnvironment.Get(HugePagesVariable) is { } chosen) return chosen == "1";
        return NativeEnvironment.Set(HugePagesVariable, "1");
    }

    private static bool KernelGivesHugePages()
    {
        try
        {
            string mode = File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled");
            return mode.Contains("[madvise]", StringComparison.Ordinal) || mode.Contains("[always]", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool ConfigureOnce()
    {
        if (!OperatingSystem.IsLinux()) return false;
        if (Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null
            || Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null
            || (Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "").Contains("glibc.malloc.", StringComparison.Ordinal))
            return false;
        try
        {
            // mallopt returns 1 on success; musl's is a stub that returns 0.
            return mallopt(M_MMAP_THRESHOLD, MapThresholdBytes) == 1 & mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int parameter, int value);
}
