using Microsoft.ML.OnnxRuntime;
using OnnxReg.Data;

namespace OnnxReg.Runtime;

/// <summary>Where ONNX Runtime runs a model.</summary>
public enum ExecutionProvider
{
    /// <summary>The CPU (every ONNX Runtime package).</summary>
    Cpu,

    /// <summary>NVIDIA CUDA; needs the <c>Microsoft.ML.OnnxRuntime.Gpu</c> package (and CUDA/cuDNN on the machine).</summary>
    Cuda,

    /// <summary>NVIDIA TensorRT; needs <c>Microsoft.ML.OnnxRuntime.Gpu</c> built with TensorRT.</summary>
    TensorRT,

    /// <summary>DirectML on Windows GPUs; needs <c>Microsoft.ML.OnnxRuntime.DirectML</c>.</summary>
    DirectML,

    /// <summary>AMD ROCm; needs an ONNX Runtime build with ROCm.</summary>
    Rocm,

    /// <summary>Apple Core ML (macOS, iOS).</summary>
    CoreML,
}

/// <summary>
/// How <see cref="OnnxClassifier"/> sets up its ONNX Runtime session: threads, graph optimization, and the execution
/// provider (CPU by default). An app that references the GPU package gets CUDA by setting
/// <see cref="ExecutionProvider"/>; anything else ONNX Runtime offers goes through <see cref="Configure"/>.
/// </summary>
/// <example>
/// <code>
/// using var classifier = OnnxClassifier.Load("model.onnx", new OnnxClassifierOptions { ExecutionProvider = ExecutionProvider.Cuda });
/// </code>
/// </example>
public sealed record OnnxClassifierOptions
{
    /// <summary>Threads per inference (0: ONNX Runtime's default, one per core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Threads running independent graph nodes in parallel (0: ONNX Runtime's default).</summary>
    public int InterOpThreads { get; init; }

    /// <summary>Graph optimizations ONNX Runtime applies when it loads the model (default: all).</summary>
    public GraphOptimizationLevel GraphOptimization { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Where the model runs (default: CPU). Providers other than the CPU are tried first, with the CPU as fallback for the nodes they do not take.</summary>
    public ExecutionProvider ExecutionProvider { get; init; } = ExecutionProvider.Cpu;

    /// <summary>The device of a GPU provider (CUDA, TensorRT, DirectML, ROCm).</summary>
    public int DeviceId { get; init; }

    /// <summary>Further set-up of ONNX Runtime's <see cref="SessionOptions"/>, applied last (e.g. profiling, a custom provider).</summary>
    public Action<SessionOptions>? Configure { get; init; }

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative or the provider unknown.</exception>
    public void Validate()
    {
        if (IntraOpThreads < 0) throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, "Thread count must be 0 (default) or more.");
        if (InterOpThreads < 0) throw new ArgumentOutOfRangeException(nameof(InterOpThreads), InterOpThreads, "Thread count must be 0 (default) or more.");
        if (DeviceId < 0) throw new ArgumentOutOfRangeException(nameof(DeviceId), DeviceId, "Device id must be 0 or more.");
        if (!Enum.IsDefined(ExecutionProvider)) throw new ArgumentOutOfRangeException(nameof(ExecutionProvider), ExecutionProvider, "Unknown execution provider.");
        if (!Enum.IsDefined(GraphOptimization)) throw new ArgumentOutOfRangeException(nameof(GraphOptimization), GraphOptimization, "Unknown graph optimization level.");
    }

    /// <summary>The session options these settings describe; the caller disposes them.</summary>
    /// <exception cref="OnnxRegException">The execution provider is not in the ONNX Runtime package the app references.</exception>
    internal SessionOptions CreateSessionOptions()
    {
        Validate();
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimization,
            IntraOpNumThreads = IntraOpThreads,
            InterOpNumThreads = InterOpThreads,
            // ONNX Runtime's own log lines (warnings such as an unused initializer) are silenced: every failure reaches
            // the caller as an exception instead.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        try
        {
            InferenceMemory.Apply(options); // every session's tensors come from one capped arena
            switch (ExecutionProvider)
            {
                case ExecutionProvider.Cuda: options.AppendExecutionProvider_CUDA(DeviceId); break;
                case ExecutionProvider.TensorRT: options.AppendExecutionProvider_Tensorrt(DeviceId); break;
                case ExecutionProvider.DirectML: options.AppendExecutionProvider_DML(DeviceId); break;
                case ExecutionProvider.Rocm: options.AppendExecutionProvider_ROCm(DeviceId); break;
                case ExecutionProvider.CoreML: options.AppendExecutionProvider_CoreML(); break;
            }
            Configure?.Invoke(options);
            return options;
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            options.Dispose();
            throw new OnnxRegException(
                $"The {ExecutionProvider} execution provider is not available in this ONNX Runtime ({e.Message.Split('\n')[0].Trim()}); {PackageFor(ExecutionProvider)}.", e);
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    private static string PackageFor(ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.Cuda or ExecutionProvider.TensorRT => "reference Microsoft.ML.OnnxRuntime.Gpu instead of Microsoft.ML.OnnxRuntime, and install CUDA and cuDNN",
        ExecutionProvider.DirectML => "reference Microsoft.ML.OnnxRuntime.DirectML instead of Microsoft.ML.OnnxRuntime (Windows only)",
        _ => "use an ONNX Runtime build that includes it",
    };
}
