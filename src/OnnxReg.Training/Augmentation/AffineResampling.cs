using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation;

/// <summary>Each sample's affine transform, as the geometric techniques draw it: rotation angle (radians), zoom factor,
/// shift (in normalized [-1, 1] coordinates) and folded flips as managed floats, one per sample (a few numbers per
/// image go straight into the affine matrices; see <see cref="AugmentationRandom"/>), and the random resized crop's
/// window as tensors. A part no technique drew is null and stays the identity's.</summary>
internal sealed class AffineParameters
{
    internal AffineParameters(long count, long height, long width) => (Count, Height, Width) = (count, height, width);

    /// <summary>Samples in the batch.</summary>
    public long Count { get; }

    /// <summary>Image height in pixels.</summary>
    public long Height { get; }

    /// <summary>Image width in pixels.</summary>
    public long Width { get; }

    /// <summary>Rotation per sample, in radians, or null (none).</summary>
    public float[]? Angle { get; internal set; }

    /// <summary>Zoom per sample, above 1 enlarges the content, or null (1).</summary>
    public float[]? Scale { get; internal set; }

    /// <summary>Horizontal shift per sample, in normalized coordinates (2 = the full width), or null (0).</summary>
    public float[]? ShiftX { get; internal set; }

    /// <summary>Vertical shift per sample, in normalized coordinates, or null (0).</summary>
    public float[]? ShiftY { get; internal set; }

    /// <summary>Random resized crop: the window's width per sample as a fraction of the image's, or null (the whole image).</summary>
    public Tensor? CropWidth { get; internal set; }

    /// <summary>The window's height per sample as a fraction of the image's, or null.</summary>
    public Tensor? CropHeight { get; internal set; }

    /// <summary>The window's centre per sample, horizontally, in normalized coordinates, or null.</summary>
    public Tensor? CropX { get; internal set; }

    /// <summary>The window's centre per sample, vertically, in normalized coordinates, or null.</summary>
    public Tensor? CropY { get; internal set; }

    /// <summary>A horizontal flip folded in: −1 for the samples mirrored left–right, 1 for the others; or null.</summary>
    public float[]? FlipX { get; internal set; }

    /// <summary>A vertical flip folded in: −1 for the samples mirrored top–bottom, 1 for the others; or null.</summary>
    public float[]? FlipY { get; internal set; }
}

/// <summary>
/// Rotation, scaling, translation and the padded crop applied as one affine resampling per image. They stay fused on
/// purpose: resampling once per batch is one sampling grid (<see cref="AffineGrid"/>) + <c>grid_sample</c> instead of up to four (the cost
/// of augmentation on small models is kernel launches), and an image is interpolated once, not blurred by each
/// transform in turn.
/// </summary>
internal static class AffineResampling
{
    // One affine matrix per sample maps output coordinates to input coordinates (normalized to [-1, 1]):
    // θ = [R(angle)/scale | shift]. Identity rotation and scale give θ = [I | 0], which grid_sample with
    // align_corners = false reproduces exactly, so rotate=0 and scale=1 change nothing.
    public static Tensor Apply(Tensor images, AffineParameters transform, PixelSpace pixels)
    {
        var theta = Theta(transform);
        var grid = AffineGrid.Create(theta, transform.Count, images.shape[2], images.shape[3]);
        if (images.dtype != grid.dtype) grid = grid.to(images.dtype);
        // Sampling (x − background) with zero padding fills uncovered areas with the background value.
        if (pixels.SharedBackground is float background)
            return nn.functional.grid_sample(images.sub(background), grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false).add_(background);
        var perChannel = pixels.Background(images.shape[1]);
        return nn.functional.grid_sample(images.sub(perChannel), grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false).add_(perChannel);
    }

    /// <summary>θ [N, 2, 3] row by row, in float32 managed arithmetic: the same operations in the same order as the
    /// tensor expressions they replaced (so the same bits), without their two dozen kernel launches per batch — the
    /// cost of augmentation on small models. Only cos and sin stay in libtorch, whose results managed maths would not
    /// match bit for bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs every batch; see AffineGrid.Create
    internal static float[] Theta(AffineParameters transform)
    {
        int count = checked((int)transform.Count);
        float[]? cos = null, sin = null;
        if (transform.Angle is { } angle)
        {
            using var scope = NewDisposeScope();
            var angles = tensor(Check(angle, count));
            (cos, sin) = (Values(angles.cos(), count), Values(angles.sin(), count));
        }
        float[]? scale = Check(transform.Scale, count), shiftX = Check(transform.ShiftX, count), shiftY = Check(transform.ShiftY, count);
        float[]? flipX = Check(transform.FlipX, count), flipY = Check(transform.FlipY, count);
        float[]? cropWidth = Values(transform.CropWidth, count), cropHeight = Values(transform.CropHeight, count);
        float[]? cropX = Values(transform.CropX, count), cropY = Values(transform.CropY, count);
        var theta = new float[count * 6];
        for (int n = 0; n < count; n++)
        {
            // cos(0) = 1 and sin(0) = 0 exactly, so an undrawn angle, zoom or shift takes its identity's constant.
            float s = scale?[n] ?? 1f;
            float c = (cos?[n] ?? 1f) / s, si = (sin?[n] ?? 0f) / s;
            float t00 = c, t01 = -si, t02 = shiftX?[n] ?? 0f, t10 = si, t11 = c, t12 = shiftY?[n] ?? 0f;
            // A resized crop is applied to the input first: p_in = D·(θ·p_out) + c with D = diag(width, height) and c
            // the window's centre, so θ becomes [D·A | D·b + c] (the linear part gets + 0, as the padded centre adds).
            if (cropWidth is not null)
            {
                float w = cropWidth[n], h = cropHeight![n];
                (t00, t01, t02) = (t00 * w + 0f, t01 * w + 0f, t02 * w + cropX![n]);
                (t10, t11, t12) = (t10 * h + 0f, t11 * h + 0f, t12 * h + cropY![n]);
            }
            // A flip of the input before all of it negates the input coordinate last: p_in = F·(θ·p_out), F = diag(±1, ±1).
            // With align_corners = false, −x maps each pixel centre exactly onto its mirror image's.
            if (flipX is not null) (t00, t01, t02) = (t00 * flipX[n], t01 * flipX[n], t02 * flipX[n]);
            if (flipY is not null) (t10, t11, t12) = (t10 * flipY[n], t11 * flipY[n], t12 * flipY[n]);
            (theta[n * 6], theta[n * 6 + 1], theta[n * 6 + 2], theta[n * 6 + 3], theta[n * 6 + 4], theta[n * 6 + 5]) = (t00, t01, t02, t10, t11, t12);
        }
        return theta;
    }

    private static float[]? Check(float[]? values, int count) =>
        values is null || values.Length == count ? values
            : throw new InvalidOperationException($"An affine parameter has {values.Length} values for {count} samples.");

    // A drawn parameter's values (float32, one per sample), or null when it was not drawn.
    private static float[]? Values(Tensor? values, int count)
    {
        if (values is null) return null;
        using var contiguous = values.to(ScalarType.Float32).contiguous();
        return Check(MemoryMarshal.Cast<byte, float>(contiguous.bytes).ToArray(), count);
    }
}
