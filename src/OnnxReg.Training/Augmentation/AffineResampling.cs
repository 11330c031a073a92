using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation;

/// <summary>Each sample's affine transform, as the geometric techniques draw it: rotation angle (radians), zoom factor,
/// and shift (in normalized [-1, 1] coordinates). Starts as the identity.</summary>
internal sealed class AffineParameters
{
    internal AffineParameters(long count, long height, long width)
    {
        (Count, Height, Width) = (count, height, width);
        Angle = zeros(count);
        Scale = ones(count);
        ShiftX = zeros(count);
        ShiftY = zeros(count);
    }

    /// <summary>Samples in the batch.</summary>
    public long Count { get; }

    /// <summary>Image height in pixels.</summary>
    public long Height { get; }

    /// <summary>Image width in pixels.</summary>
    public long Width { get; }

    /// <summary>Rotation per sample, in radians.</summary>
    public Tensor Angle { get; internal set; }

    /// <summary>Zoom per sample (above 1 enlarges the content).</summary>
    public Tensor Scale { get; internal set; }

    /// <summary>Horizontal shift per sample, in normalized coordinates (2 = the full width).</summary>
    public Tensor ShiftX { get; internal set; }

    /// <summary>Vertical shift per sample, in normalized coordinates.</summary>
    public Tensor ShiftY { get; internal set; }

    /// <summary>Random resized crop: the window's width per sample as a fraction of the image's, or null (the whole image).</summary>
    public Tensor? CropWidth { get; internal set; }

    /// <summary>The window's height per sample as a fraction of the image's, or null.</summary>
    public Tensor? CropHeight { get; internal set; }

    /// <summary>The window's centre per sample, horizontally, in normalized coordinates, or null.</summary>
    public Tensor? CropX { get; internal set; }

    /// <summary>The window's centre per sample, vertically, in normalized coordinates, or null.</summary>
    public Tensor? CropY { get; internal set; }

    /// <summary>A horizontal flip folded in: −1 for the samples mirrored left–right, 1 for the others; or null.</summary>
    public Tensor? FlipX { get; internal set; }

    /// <summary>A vertical flip folded in: −1 for the samples mirrored top–bottom, 1 for the others; or null.</summary>
    public Tensor? FlipY { get; internal set; }
}

/// <summary>
/// Rotation, scaling, translation and the padded crop applied as one affine resampling per image. They stay fused on
/// purpose: resampling once per batch is one <c>affine_grid</c> + <c>grid_sample</c> instead of up to four (the cost
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
        var cos = transform.Angle.cos().div(transform.Scale);
        var sin = transform.Angle.sin().div(transform.Scale);
        var theta = stack([stack([cos, sin.neg(), transform.ShiftX], 1), stack([sin, cos, transform.ShiftY], 1)], 1);
        // A resized crop is applied to the input first: p_in = D·(θ·p_out) + c with D = diag(width, height) and c the
        // window's centre, so θ becomes [D·A | D·b + c]. Without one, θ is left exactly as it was.
        if (transform.CropWidth is { } width)
        {
            theta = theta.mul(stack([width, transform.CropHeight!], 1).unsqueeze(2));
            var centre = stack([transform.CropX!, transform.CropY!], 1).unsqueeze(2);
            theta = theta.add(nn.functional.pad(centre, [2, 0]));
        }
        // A flip of the input before all of it negates the input coordinate last: p_in = F·(θ·p_out), F = diag(±1, ±1).
        // With align_corners = false, −x maps each pixel centre exactly onto its mirror image's.
        if (transform.FlipX is not null || transform.FlipY is not null)
            theta = theta.mul(stack([transform.FlipX ?? ones(transform.Count), transform.FlipY ?? ones(transform.Count)], 1).unsqueeze(2));
        var grid = nn.functional.affine_grid(theta, images.shape, align_corners: false);
        // Sampling (x − background) with zero padding fills uncovered areas with the background value.
        if (pixels.SharedBackground is float background)
            return nn.functional.grid_sample(images.sub(background), grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false).add(background);
        var perChannel = pixels.Background(images.shape[1]);
        return nn.functional.grid_sample(images.sub(perChannel), grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false).add(perChannel);
    }
}
