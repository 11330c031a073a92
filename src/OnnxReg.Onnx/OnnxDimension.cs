namespace OnnxReg.Onnx;

/// <summary>One dimension of a graph input or output: a fixed size, or a named symbolic size (e.g. the batch "N").</summary>
public readonly record struct OnnxDimension
{
    private OnnxDimension(long? value, string? parameter) { Value = value; Parameter = parameter; }

    /// <summary>The fixed size, or null for a symbolic dimension.</summary>
    public long? Value { get; }

    /// <summary>The symbolic name, or null for a fixed dimension.</summary>
    public string? Parameter { get; }

    /// <summary>A dimension of fixed size.</summary>
    public static OnnxDimension Fixed(long value) => value > 0
        ? new OnnxDimension(value, null)
        : throw new ArgumentOutOfRangeException(nameof(value), value, "A fixed dimension must be positive.");

    /// <summary>A dimension whose size is chosen at run time, named <paramref name="name"/> (ONNX <c>dim_param</c>).</summary>
    public static OnnxDimension Symbolic(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new OnnxDimension(null, name);
    }

    /// <inheritdoc />
    public override string ToString() => Parameter ?? Value!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
