using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation;

/// <summary>
/// The sampling grid of <c>affine_grid(θ, [N, C, H, W], align_corners: false)</c>, computed in managed code with the
/// same float32 operations in the same order, so it is bit-for-bit libtorch's. Why not libtorch's own: its CPU
/// <c>affine_grid</c> multiplies an [N, H·W, 3] base grid by θᵀ in a batched matmul of N tiny (k = 3) products, which
/// costs 0.5 ms for 128 images of 28 × 28 — more than the rest of a batch's augmentation and a fifth of an MLP's whole
/// training step; the same 2·N·H·W sums written out take about a tenth of that.
/// </summary>
internal static class AffineGrid
{
    // The pixel centres of the last size asked for, normalized to [-1, 1] as libtorch makes them: linspace(-1, 1, n),
    // then × (n − 1) ÷ n (two roundings, as in ATen's linspace_from_neg_one). A dataset has one image size.
    // A reference, so that threads sharing it swap it whole.
    private static PixelCentres? s_centres;

    private sealed record PixelCentres(long Height, long Width, float[] Ys, float[] Xs);

    /// <summary>The float32 grid [N, H, W, 2] (x then y per output pixel) for θ [N, 2, 3] given row by row
    /// (<paramref name="theta"/>[6n … 6n + 5]). A grid over 2 GB goes to libtorch's <c>affine_grid</c>.</summary>
    // Compiled optimized at once: at tier 0 the vector arithmetic is calls, not instructions (0.5 ms a batch, ten
    // times the optimized loop), and a training process keeps jitting new code long enough to delay the tier-up.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor Create(ReadOnlySpan<float> theta, long count, long height, long width)
    {
        if (theta.Length != count * 6)
            throw new ArgumentException($"θ needs 6 values per sample: {count * 6:N0} for {count:N0} samples; received {theta.Length:N0}.", nameof(theta));
        if (count * height * width * 2 * sizeof(float) > int.MaxValue)
        {
            using var thetaTensor = tensor(theta.ToArray(), [count, 2, 3]);
            return nn.functional.affine_grid(thetaTensor, [count, 1, height, width], align_corners: false);
        }
        var (ys, xs) = Centres(height, width);
        var grid = empty([count, height, width, 2], ScalarType.Float32);
        var output = MemoryMarshal.Cast<byte, float>(grid.bytes);
        // A row of the grid interleaves x and y: out[2w] = (a·x_w + b·y_h) + c, out[2w + 1] = (d·x_w + e·y_h) + f. With
        // each x_w stored twice and the coefficients repeated as (a, d, a, d, …), both are one vertical multiply and
        // two adds per lane, so whole vectors of the row are computed at once, in the same order as the scalar sums.
        int rowLength = checked((int)width * 2), rows = (int)height;
        var pairs = new float[rowLength];
        // Vector<float>.Count is a power of two of at least 4, so the (a, d) pattern fills a vector exactly.
        Span<float> linear = stackalloc float[Vector<float>.Count], offset = stackalloc float[Vector<float>.Count],
            rowTerm = stackalloc float[Vector<float>.Count];
        for (int w = 0; w < xs.Length; w++) pairs[2 * w] = pairs[2 * w + 1] = xs[w];
        for (int n = 0; n < count; n++)
        {
            float a = theta[n * 6], b = theta[n * 6 + 1], c = theta[n * 6 + 2], d = theta[n * 6 + 3], e = theta[n * 6 + 4], f = theta[n * 6 + 5];
            for (int i = 0; i < linear.Length; i += 2) (linear[i], linear[i + 1], offset[i], offset[i + 1]) = (a, d, c, f);
            var linearVector = new Vector<float>(linear);
            var offsetVector = new Vector<float>(offset);
            for (int h = 0; h < rows; h++)
            {
                float by = b * ys[h], ey = e * ys[h];
                for (int i = 0; i < rowTerm.Length; i += 2) (rowTerm[i], rowTerm[i + 1]) = (by, ey);
                var rowVector = new Vector<float>(rowTerm);
                var row = output.Slice((int)((n * height + h) * rowLength), rowLength);
                int k = 0;
                for (; k + Vector<float>.Count <= rowLength; k += Vector<float>.Count)
                    (linearVector * new Vector<float>(pairs, k) + rowVector + offsetVector).CopyTo(row.Slice(k));
                for (; k < rowLength; k += 2)
                {
                    row[k] = a * pairs[k] + by + c;
                    row[k + 1] = d * pairs[k] + ey + f;
                }
            }
        }
        return grid;
    }

    private static (float[] Ys, float[] Xs) Centres(long height, long width)
    {
        var cached = s_centres;
        if (cached is null || cached.Height != height || cached.Width != width)
            s_centres = cached = new PixelCentres(height, width, Centres(height), Centres(width));
        return (cached.Ys, cached.Xs);
    }

    private static float[] Centres(long size)
    {
        using var scope = NewDisposeScope();
        var values = linspace(-1, 1, size, ScalarType.Float32);
        values = values.mul(size - 1).div(size);
        return values.data<float>().ToArray();
    }
}
