using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace OnnxReg.Training.Tests;

/// <summary>
/// The mechanism that makes a seeded run give the same numbers on every x86-64 CPU is in force in this process: the
/// caps are in the C library's environment (where libtorch reads them, not only in .NET's copy), libtorch's ATen
/// dispatch really runs its AVX2 kernels, and c10 took the quiet log level. On an AVX-512 CPU each of these fails
/// without <see cref="CpuKernels"/> (ATen would report AVX512, c10 its default WARNING level).
/// </summary>
public class CpuKernelsTests
{
    private static bool CpuHasAvx2AndFma => RuntimeInformation.ProcessArchitecture == Architecture.X64 && Avx2.IsSupported && Fma.IsSupported;

    [Test]
    public void PortableVariables_CapEveryKernelLibraryAtAvx2_AndLeaveOldCpusAlone()
    {
        Assert.That(CpuKernels.PortableVariables(cpuHasAvx2AndFma: true), Is.EqualTo(new[]
        {
            ("TORCH_CPP_LOG_LEVEL", "ERROR"), ("ONEDNN_MAX_CPU_ISA", "AVX2"), ("ATEN_CPU_CAPABILITY", "avx2"), ("MKL_CBWR", "AVX2"),
        }));
        // ATen takes "avx2" on trust: on a CPU without it, the cap would select instructions the CPU lacks.
        Assert.That(CpuKernels.PortableVariables(cpuHasAvx2AndFma: false), Is.EqualTo(new[] { ("TORCH_CPP_LOG_LEVEL", "ERROR") }));
    }

    [Test]
    public void Apply_PutsTheCapsInTheCLibrarysEnvironment_WhereLibTorchReadsThem()
    {
        var settings = CpuKernels.Apply();
        Assume.That(settings.Mode, Is.EqualTo(CpuKernelMode.Portable), "this process was started with ONNXREG_CPU_KERNELS=native");
        Assert.That(settings.CpuHasAvx2, Is.EqualTo(CpuHasAvx2AndFma));
        foreach (var (name, value) in CpuKernels.PortableVariables(CpuHasAvx2AndFma))
        {
            if (settings.KeptFromEnvironment.Contains(name)) continue; // the environment that started the tests chose its own
            Assert.That(Native.GetEnv(name), Is.EqualTo(value), name);
            Assert.That(settings.Set, Does.Contain($"{name}={value}"));
        }
    }

    [Test]
    public void LibTorch_DispatchesItsVectorKernelsAtAvx2()
    {
        Assume.That(OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64, "reads libtorch's own answer through the Itanium C++ ABI on Linux x64");
        Assume.That(CpuKernels.Settings.KeptFromEnvironment, Does.Not.Contain("ATEN_CPU_CAPABILITY"));
        Assert.That(CpuKernels.ApplyLogLevel(), Is.True, "libtorch is loaded and took the log level");
        using var _ = TorchSharp.torch.ones(4).add(1); // ATen fixes its capability at the first dispatched operator
        Assert.That(Native.AtenCpuCapability(), Is.EqualTo(CpuHasAvx2AndFma ? "AVX2" : "DEFAULT"));
    }

    [Test]
    public void LibTorch_TookTheErrorLogLevel_SoItsWarningsStayOffTheTerminal()
    {
        Assume.That(OperatingSystem.IsLinux(), "reads c10's exported flag on Linux");
        Assume.That(CpuKernels.Settings.KeptFromEnvironment, Does.Not.Contain("TORCH_CPP_LOG_LEVEL"));
        Assert.That(CpuKernels.ApplyLogLevel(), Is.True);
        Assert.That(Native.C10LogLevel(), Is.EqualTo(2), "c10's levels: 0 INFO, 1 WARNING (its default), 2 ERROR, 3 FATAL");
    }

    [Test]
    public void Describe_SpeaksOnlyWhenTheChoiceMattersHere()
    {
        var avx2Only = new CpuKernelSettings(CpuKernelMode.Portable, true, false, ["ONEDNN_MAX_CPU_ISA=AVX2"], []);
        var avx512 = avx2Only with { CpuHasAvx512 = true };
        Assert.That(avx2Only.Describe(), Is.Null, "an AVX2 CPU runs these kernels anyway");
        Assert.That(avx512.Describe(), Does.StartWith("cpu: AVX2 kernels on this AVX-512 CPU").And.Contain("ONNXREG_CPU_KERNELS=native"));
        Assert.That((avx2Only with { Mode = CpuKernelMode.Native }).Describe(), Does.Contain("may differ from other machines'"));
        Assert.That((avx2Only with { KeptFromEnvironment = ["ONEDNN_MAX_CPU_ISA"] }).Describe(), Does.Contain("ONEDNN_MAX_CPU_ISA"));
        Assert.That((avx2Only with { KeptFromEnvironment = ["TORCH_CPP_LOG_LEVEL"] }).Describe(), Is.Null, "a log level is no kernel choice");
    }

    private static class Native
    {
        private const int RTLD_LAZY = 0x1, RTLD_NOLOAD = 0x4;

        public static string? GetEnv(string name) => Marshal.PtrToStringUTF8(getenv(name));

        // std::string at::get_cpu_capability(): returned through a hidden pointer to 32 bytes (libstdc++: data
        // pointer, length, then the short-string buffer).
        public static string AtenCpuCapability()
        {
            var function = Export("libtorch_cpu.so", "_ZN2at18get_cpu_capabilityB5cxx11Ev");
            var result = Marshal.AllocHGlobal(32);
            try
            {
                Marshal.GetDelegateForFunctionPointer<ReturnsString>(function)(result);
                return Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(result), checked((int)Marshal.ReadInt64(result, 8)));
            }
            finally { Marshal.FreeHGlobal(result); } // the names are short: held in the buffer itself, nothing to free
        }

        public static int C10LogLevel() => Marshal.ReadInt32(Export("libc10.so", "FLAGS_caffe2_log_level"));

        private static IntPtr Export(string library, string symbol)
        {
            var handle = dlopen(library, RTLD_LAZY | RTLD_NOLOAD); // the copy TorchSharp loaded, never a second one
            Assert.That(handle, Is.Not.EqualTo(IntPtr.Zero), $"{library} is loaded");
            Assert.That(NativeLibrary.TryGetExport(handle, symbol, out var address), Is.True, $"{library} exports {symbol}");
            return address;
        }

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate IntPtr ReturnsString(IntPtr result);

        [DllImport("libc")]
        private static extern IntPtr getenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

        [DllImport("libc")]
        private static extern IntPtr dlopen([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int flags);
    }
}
