using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace OnnxReg.Runtime;

/// <summary>
/// The OrtValues that describe one thread's input and output buffers. A steady caller passes the same buffers on
/// every call, so the wrappers are made once and no managed memory is allocated per call. A binding is reused
/// only when the buffers' addresses (taken while they are pinned for the call) and the batch size match exactly,
/// so a moved or different buffer is never read; between calls nothing touches the memory.
/// </summary>
internal sealed class OrtBinding : IDisposable
{
    private readonly nint _input;
    private readonly nint _output;
    private readonly int _batchSize;

    public unsafe OrtBinding(nint input, nint output, int batchSize, IReadOnlyList<int> sampleShape, int classes)
    {
        _input = input;
        _output = output;
        _batchSize = batchSize;
        long[] inputShape = [batchSize, .. sampleShape.Select(d => (long)d)];
        long inputLength = inputShape.Aggregate(1L, (a, d) => a * d);
        Inputs = [OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, inputShape, input, inputLength * sizeof(float))];
        Outputs = [OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, [batchSize, classes], output, (long)batchSize * classes * sizeof(float))];
    }

    public OrtValue[] Inputs { get; }

    public OrtValue[] Outputs { get; }

    public bool Describes(nint input, nint output, int batchSize) => input == _input && output == _output && batchSize == _batchSize;

    public void Dispose()
    {
        Inputs[0].Dispose();
        Outputs[0].Dispose();
    }
}
