namespace OnnxReg.Data.Idx;

/// <summary>An n-dimensional array of unsigned bytes read from an IDX file, stored row-major.</summary>
/// <param name="Shape">The dimensions, outermost first (for images: count, height, width).</param>
/// <param name="Data">The values, row-major; its length is the product of <paramref name="Shape"/>.</param>
public sealed record IdxArray(int[] Shape, byte[] Data)
{
    /// <summary>The size of the first dimension (the number of items).</summary>
    public int Count => Shape[0];
}
