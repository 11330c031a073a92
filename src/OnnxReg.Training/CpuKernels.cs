using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace OnnxReg.Training;

/// <summary>
/// Which of libtorch's CPU kernels a seeded run uses, chosen so that the same seed gives the same finite numbers on
/// every x86-64 CPU. libtorch picks its kernels by the instructions the CPU has: ATen's vectorized operators, oneDNN's
/// convolutions and MKL's matrix products each have an AVX2 and an AVX-512 version, and they round differently. On
/// one AMD EPYC with AVX-512, oneDNN's AVX-512 convolutions gave NaN in 4 of 6 seeded ResNet runs
/// (<c>--channels 8,16</c>) and losses that differed in the fourth decimal in the others; capped at AVX2, 8 of 8 runs
/// were identical. So, before libtorch loads, the process environment caps all three at AVX2 (on CPUs that have
/// AVX2 and FMA, which every x86-64 CPU since 2013–2015 has) and sets libtorch's log level to errors, so its own
/// warning lines (<c>[W… NNPACK.cpp:56] Could not initialize NNPACK!</c>) never reach the terminal.
/// </summary>
/// <remarks>
/// <para>The variables must be in the C library's environment before libtorch reads them: c10 reads its log level
/// when it loads, oneDNN, ATen and MKL theirs at first use. .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// changes only the managed copy on Linux and macOS, so they are set with the C library's <c>setenv</c>
/// (<c>_putenv_s</c> on Windows). This runs from the assembly's module initializer, so any use of this library sets them
/// before its first TorchSharp call; a program that calls TorchSharp before touching this library should call
/// <see cref="Apply"/> first.</para>
/// <para>A variable already in the environment is kept, so <c>ONEDNN_MAX_CPU_ISA=AVX512_CORE</c> or
/// <c>TORCH_CPP_LOG_LEVEL=WARNING</c> still works. <c>ONNXREG_CPU_KERNELS=native</c> sets none of the caps: libtorch
/// then picks the fastest kernels this CPU has (measured in BENCHMARKS.md), with the risk above — results that differ
/// from other machines' and, on some CPUs, NaN.</para>
/// </remarks>
public static class CpuKernels
{
    /// <summary>The environment variable that opts out of the caps: <c>native</c> lets libtorch pick; unset or <c>portable</c> caps at AVX2.</summary>
    public const string ModeVariable = "ONNXREG_CPU_KERNELS";

    private static readonly Lazy<CpuKernelSettings> Applied = new(ApplyOnce);

    /// <summary>The settings in force in this process (applying them first if nothing has yet).</summary>
    public static CpuKernelSettings Settings => Applied.Value;

    /// <summary>Sets the variables once per process, before libtorch loads; later calls return the same settings.</summary>
    public static CpuKernelSettings Apply() => Applied.Value;

#pragma warning disable CA2255 // A library's module initializer is the one place that runs before any of its TorchSharp calls.
    [ModuleInitializer]
    internal static void ApplyOnLoad() => Apply();
#pragma warning restore CA2255

    private static readonly Lazy<bool> LogLevelRead = new(ReadLogLevelOnce);

    /// <summary>
    /// Loads libtorch (if nothing has yet) and has it read <c>TORCH_CPP_LOG_LEVEL</c>: libtorch declares the variable
    /// but reads it only when PyTorch's Python module asks it to (<c>c10::initLogging</c>), so under TorchSharp every
    /// warning would print whatever the variable says. Called where OnnxReg first builds a network, before anything
    /// that could warn runs; later calls do nothing. Returns whether libtorch took the level (false where its entry
    /// point could not be found: then its warnings still print).
    /// </summary>
    public static bool ApplyLogLevel() => LogLevelRead.Value;

    /// <summary>The variables OnnxReg sets and the values it gives them on this CPU, in order.</summary>
    public static IReadOnlyList<(string Name, string Value)> PortableVariables(bool cpuHasAvx2AndFma)
    {
        var variables = new List<(string, string)> { ("TORCH_CPP_LOG_LEVEL", "ERROR") };
        if (!cpuHasAvx2AndFma) return variables; // older CPUs run the generic kernels already; "avx2" would be illegal there
        variables.Add(("ONEDNN_MAX_CPU_ISA", "AVX2"));
        variables.Add(("ATEN_CPU_CAPABILITY", "avx2"));
        variables.Add(("MKL_CBWR", "AVX2"));
        return variables;
    }

    private static CpuKernelSettings ApplyOnce()
    {
        bool x86 = RuntimeInformation.ProcessArchitecture == Architecture.X64;
        bool avx2 = x86 && Avx2.IsSupported && Fma.IsSupported;
        bool avx512 = x86 && Avx512F.IsSupported;
        bool native = string.Equals(NativeEnvironment.Get(ModeVariable), "native", StringComparison.OrdinalIgnoreCase);
        var set = new List<string>();
        var kept = new List<string>();
        foreach (var (name, value) in PortableVariables(avx2))
        {
            // The log level is not a kernel choice: it stays quiet even when the kernels are left to libtorch.
            if (native && name != "TORCH_CPP_LOG_LEVEL") continue;
            // oneDNN also reads the variable's old name; a user who set either keeps it.
            bool userSet = NativeEnvironment.Get(name) is not null || (name == "ONEDNN_MAX_CPU_ISA" && NativeEnvironment.Get("DNNL_MAX_CPU_ISA") is not null);
            if (userSet)
            {
                // A value equal to ours (an onnxreg started by another) is no choice of the user's.
                if (NativeEnvironment.Get(name) != value) kept.Add(name);
                continue;
            }
            if (NativeEnvironment.Set(name, value)) set.Add($"{name}={value}");
        }
        return new CpuKernelSettings(native ? CpuKernelMode.Native : CpuKernelMode.Portable, avx2, avx512, set, kept);
    }

    private static bool ReadLogLevelOnce()
    {
        Apply();
        TorchSharp.torch.InitializeDeviceType(TorchSharp.DeviceType.CPU); // loads libtorch and c10 if nothing has
        var c10 = LoadedLibrary.Find(OperatingSystem.IsWindows() ? "c10.dll" : OperatingSystem.IsMacOS() ? "libc10.dylib" : "libc10.so");
        if (c10 == IntPtr.Zero) return false;
        // c10::initLogging(), as the Itanium C++ ABI (Linux, macOS) and MSVC name it.
        foreach (var name in new[] { "_ZN3c1011initLoggingEv", "?initLogging@c10@@YAXXZ" })
        {
            if (!NativeLibrary.TryGetExport(c10, name, out var initLogging)) continue;
            Marshal.GetDelegateForFunctionPointer<NativeAction>(initLogging)();
            return true;
        }
        return false;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void NativeAction();
}

/// <summary>Finds a native library the process has already loaded, by its file name, without loading a second copy.</summary>
internal static class LoadedLibrary
{
    private const int RTLD_LAZY = 0x1;
    private const int RTLD_NOLOAD_LINUX = 0x4;
    private const int RTLD_NOLOAD_MACOS = 0x10;

    public static IntPtr Find(string fileName)
    {
        try
        {
            if (OperatingSystem.IsWindows()) return GetModuleHandleW(fileName);
            int flags = RTLD_LAZY | (OperatingSystem.IsMacOS() ? RTLD_NOLOAD_MACOS : RTLD_NOLOAD_LINUX);
            try { return dlopen(fileName, flags); }
            catch (EntryPointNotFoundException) { return dlopenFromLibdl(fileName, flags); } // glibc before 2.34
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return IntPtr.Zero;
        }
    }

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern IntPtr dlopen([MarshalAs(UnmanagedType.LPUTF8Str)] string fileName, int flags);

    [DllImport("libdl.so.2", EntryPoint = "dlopen")]
    private static extern IntPtr dlopenFromLibdl([MarshalAs(UnmanagedType.LPUTF8Str)] string fileName, int flags);

    [DllImport("kernel32", CharSet = CharSet.Unicode)]
    private static extern IntPtr GetModuleHandleW(string moduleName);
}

/// <summary>How libtorch's CPU kernels are chosen in this process.</summary>
public enum CpuKernelMode
{
    /// <summary>Capped at AVX2 for the same results on every x86-64 CPU (the default).</summary>
    Portable,
    /// <summary>Left to libtorch (<c>ONNXREG_CPU_KERNELS=native</c>): the fastest this CPU has, results may differ between machines.</summary>
    Native,
}

/// <summary>What <see cref="CpuKernels"/> did in this process.</summary>
/// <param name="Mode">Portable or native.</param>
/// <param name="CpuHasAvx2">The CPU has AVX2 and FMA, so the caps apply.</param>
/// <param name="CpuHasAvx512">The CPU has AVX-512, so the caps choose slower kernels than libtorch would.</param>
/// <param name="Set">The variables set, as NAME=VALUE.</param>
/// <param name="KeptFromEnvironment">The variables the environment already set to values of its own, left as they were.</param>
public sealed record CpuKernelSettings(CpuKernelMode Mode, bool CpuHasAvx2, bool CpuHasAvx512, IReadOnlyList<string> Set, IReadOnlyList<string> KeptFromEnvironment)
{
    /// <summary>One line for a run's description when the choice matters on this machine (an AVX-512 CPU, or the
    /// user's own choice); null where libtorch's own kernels are already the portable ones.</summary>
    public string? Describe()
    {
        if (Mode == CpuKernelMode.Native)
            return "cpu: libtorch's fastest kernels for this CPU (ONNXREG_CPU_KERNELS=native); results may differ from other machines'";
        var kernelVariables = KeptFromEnvironment.Where(v => v != "TORCH_CPP_LOG_LEVEL").ToList();
        if (kernelVariables.Count > 0)
            return $"cpu: kernel settings from the environment ({string.Join(", ", kernelVariables)}); results may differ from other machines'";
        return CpuHasAvx512
            ? "cpu: AVX2 kernels on this AVX-512 CPU, for the same results on every x86-64 machine (ONNXREG_CPU_KERNELS=native: faster, not reproducible elsewhere)"
            : null;
    }
}

/// <summary>The C library's own environment, which native code reads with <c>getenv</c>.</summary>
internal static class NativeEnvironment
{
    public static string? Get(string name)
    {
        try
        {
            if (OperatingSystem.IsWindows()) return Environment.GetEnvironmentVariable(name);
            var value = getenv(name);
            return value == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(value);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return Environment.GetEnvironmentVariable(name);
        }
    }

    /// <summary>Sets the variable for native code in this process; false where the C library could not be reached.
    /// On Linux and macOS .NET's own copy, which child processes inherit, is left alone: the caps are this process's.</summary>
    public static bool Set(string name, string value)
    {
        try
        {
            return OperatingSystem.IsWindows() ? _putenv_s(name, value) == 0 : setenv(name, value, 0) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr getenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("ucrtbase", EntryPoint = "_putenv_s", CharSet = CharSet.Ansi)]
    private static extern int _putenv_s(string name, string value);
}
