namespace OnnxReg.Training.Models;

/// <summary>The model architectures <see cref="ModelPresets"/> builds.</summary>
public enum ModelPreset
{
    /// <summary>Flatten, then fully connected layers with ReLU (and dropout where asked).</summary>
    Mlp,

    /// <summary>Two 3×3 convolution + ReLU + 2×2 max-pool stages, then a fully connected head.</summary>
    Cnn,

    /// <summary>A small residual network: a 3×3 stem, one residual block per stage (the later ones halve the
    /// size with a strided convolution and a 1×1 projection shortcut), global average pooling, a linear head.</summary>
    ResNet,

    /// <summary>The network a model file describes (<see cref="ModelOptions.Layers"/>).</summary>
    Custom,
}
