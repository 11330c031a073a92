using static TorchSharp.torch;

namespace OnnxReg.Training.Augmentation.Techniques;

/// <summary>The colour arithmetic torchvision's functional transforms use, on 0–1 pixel values [N, C, H, W].</summary>
internal static class ColorMath
{
    /// <summary>Luminance [N, 1, H, W]: 0.299 R + 0.587 G + 0.114 B (torchvision's <c>rgb_to_grayscale</c>); a one-channel image is its own.</summary>
    public static Tensor Luminance(Tensor pixels)
    {
        if (pixels.shape[1] != 3) return pixels.narrow(1, 0, 1);
        using var weights = tensor(new[] { 0.299f, 0.587f, 0.114f }).view(1, 3, 1, 1);
        return pixels.mul(weights).sum(1, keepdim: true);
    }

    /// <summary>Rotates each image's hue by <paramref name="turns"/> [N] of a full turn, as a rotation about the gray axis in
    /// YIQ space (a linear map; torchvision converts to HSV instead, which treats fully saturated colours slightly differently).</summary>
    public static Tensor RotateHue(Tensor pixels, Tensor turns)
    {
        using var toYiq = tensor(new[] { 0.299f, 0.587f, 0.114f, 0.596f, -0.274f, -0.322f, 0.211f, -0.523f, 0.312f }).view(3, 3);
        using var fromYiq = linalg.inv(toYiq);
        var angle = turns.mul(2 * Math.PI);
        var (cos, sin) = (angle.cos(), angle.sin());
        var zero = zeros_like(cos);
        var one = ones_like(cos);
        // Per image: M = fromYiq · R(angle) · toYiq, R rotating the I–Q plane.
        var rotation = stack([stack([one, zero, zero], 1), stack([zero, cos, sin.neg()], 1), stack([zero, sin, cos], 1)], 1);
        var map = fromYiq.matmul(rotation).matmul(toYiq);
        long n = pixels.shape[0], h = pixels.shape[2], w = pixels.shape[3];
        return map.bmm(pixels.reshape(n, 3, h * w)).reshape(n, 3, h, w);
    }
}
