namespace OnnxReg.Export.Emitters;

/// <summary>A 2-D pooling window as ONNX wants it, from TorchSharp's one-or-two-value size lists.</summary>
internal static class PoolGeometry
{
    /// <summary>Kernel, strides (PyTorch: the kernel when unset) and ONNX pads [top, left, bottom, right].</summary>
    public static (long[] Kernel, long[] Strides, long[] Pads) Of(long[] kernelSize, long[]? stride, long[]? padding)
    {
        long[] kernel = Pair(kernelSize);
        long[] strides = stride is { Length: > 0 } ? Pair(stride) : kernel;
        long[] pad = padding is { Length: > 0 } ? Pair(padding) : [0, 0];
        return (kernel, strides, [pad[0], pad[1], pad[0], pad[1]]);
    }

    /// <summary>A size given once stands for both dimensions.</summary>
    public static long[] Pair(long[] values) => values.Length == 1 ? [values[0], values[0]] : values;
}
