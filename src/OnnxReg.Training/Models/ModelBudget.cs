using OnnxReg.Data;
using OnnxReg.Training.Models.Layers;

namespace OnnxReg.Training.Models;

/// <summary>
/// What a preset network will cost, computed from its options before anything is allocated: its parameter count and
/// the activation values one sample produces on the way through, and from them the training process's peak memory
/// (<see cref="PeakBytes"/>). Checked against <see cref="ResourceLimits.MaxParameters"/> and
/// <see cref="ResourceLimits.MaxTrainingMemoryBytes"/>, so <c>--hidden 3000000</c> or <c>--channels 100000</c> fails
/// in milliseconds with the figures, instead of after libtorch has taken the machine's memory.
/// </summary>
/// <param name="Parameters">Trainable parameters (weights and biases, BatchNorm scales and shifts).</param>
/// <param name="ActivationsPerSample">Values stored for backpropagation per sample (layer outputs, counting the
/// convolution, normalization and activation of each block).</param>
public sealed record ModelBudget(long Parameters, long ActivationsPerSample)
{
    /// <summary>What a training process holds before any network or data: the .NET runtime, libtorch and ONNX Runtime
    /// as loaded and touched by a run (fitted: 280 MiB).</summary>
    public const long ProcessBytes = 280L << 20;

    /// <summary>Bytes per parameter at the peak: weights, gradients, two Adam moments, the epoch-start copy kept for
    /// rolling back a diverged epoch, and the checkpoint's and the exported file's copies (fitted: 38).</summary>
    public const int BytesPerParameter = 38;

    /// <summary>Bytes per activation value per sample of a batch at the peak: the forward values kept for backward,
    /// their gradients and libtorch's workspaces, less what is freed before the peak (fitted: 3.9; it was 5.0 while the
    /// trainer kept the heap's free pages, before <see cref="PeriodicHeapRelease"/>, and 4.15 while the heap was released
    /// at most every ten seconds, before tensors of 2 MiB or more got huge pages (<see cref="LibTorchHeap.RequestHugePages"/>)
    /// and the release every second).</summary>
    public const double BytesPerActivation = 3.9;

    /// <summary>The largest deviation of a measured peak from the estimate among the runs the constants were fitted
    /// to, in percent, rounded up (16: the resnet peaked at 1.16 of its estimate at 48 pixels, and the mlp on the
    /// embedded grayscale data at 0.84 at 28).</summary>
    public const int FittedWithinPercent = 16;

    /// <summary>The training process's estimated peak resident memory with batches of <paramref name="batchSize"/>,
    /// holding <paramref name="dataBytes"/> of data in memory (<c>TensorDataset.HeldBytes</c>). The three constants
    /// were fitted (least relative error) to the peaks of 17 runs — mlp, cnn, cnn with batch norm and resnet at 28, 48,
    /// 64 and 96 pixels, batch 128, one epoch on 2,000 images, and the mlp on 2,000 embedded grayscale images — on a
    /// 2-core x86-64 Linux machine, where every run came within <see cref="FittedWithinPercent"/> %
    /// (<c>tools/bench-memory-estimate.sh</c>, BENCHMARKS.md); other machines differ (more cores keep more per-thread workspace), so it is an estimate, not a bound.</summary>
    public long PeakBytes(int batchSize, long dataBytes = 0) =>
        Add(Add(ProcessBytes, ParameterBytes), Add(ActivationBytes(batchSize), Math.Max(0, dataBytes)));

    /// <summary>The parameters' share of <see cref="PeakBytes"/>.</summary>
    public long ParameterBytes => Saturate(Parameters, BytesPerParameter);

    /// <summary>The activations' share of <see cref="PeakBytes"/> at <paramref name="batchSize"/>.</summary>
    public long ActivationBytes(int batchSize) =>
        (double)Saturate(ActivationsPerSample, batchSize) * BytesPerActivation is var bytes && bytes < long.MaxValue ? (long)bytes : long.MaxValue;

    /// <summary>Estimates <paramref name="options"/> on images of the given shape (arithmetic saturates instead of
    /// overflowing). A model file's network is worked out layer by layer (<see cref="NetworkShapes"/>), so a layer
    /// that does not fit its input is reported here, before anything is built.</summary>
    /// <exception cref="ArgumentException">A model file's layer does not fit its input (the message names it).</exception>
    public static ModelBudget Estimate(ModelOptions options, int channels, int height, int width, int classes)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Preset == ModelPreset.Custom)
        {
            var shapes = NetworkShapes.Infer(options.Layers ?? throw new ArgumentException("The custom preset needs its layers (a model file)."), channels, height, width, classes);
            return new ModelBudget(shapes.Parameters, shapes.ActivationsPerSample);
        }
        long parameters = 0, activations = 0;
        long features;
        switch (options.Preset)
        {
            case ModelPreset.Cnn:
            {
                long inChannels = channels, h = height, w = width;
                foreach (int c in options.ConvChannelsFor(height, width))
                {
                    parameters = Add(parameters, Add(Saturate(Saturate(inChannels, c), 9), c * (options.BatchNorm ? 3L : 1L)));
                    activations = Add(activations, Saturate(Saturate(c, h * w), options.BatchNorm ? 4 : 3)); // conv, (batch norm,) relu, and the gradient
                    (inChannels, h, w) = (c, h / 2, w / 2);
                    activations = Add(activations, Saturate(c, h * w));
                }
                features = Saturate(inChannels, h * w);
                break;
            }
            case ModelPreset.ResNet:
            {
                // Each convolution has a bias, or a BatchNorm (scale and shift) instead of one.
                long PerChannel(long c) => options.BatchNorm ? 2 * c : c;
                int[] stages = options.ConvChannelsFor(height, width);
                long inChannels = stages[0], h = height, w = width;
                parameters = Add(Saturate(Saturate(channels, stages[0]), 9), PerChannel(stages[0]));
                activations = Saturate(Saturate(stages[0], h * w), 3);
                for (int s = 0; s < stages.Length; s++)
                {
                    if (s > 0) (h, w) = ((h + 1) / 2, (w + 1) / 2);
                    long c = stages[s];
                    parameters = Add(parameters, Add(Saturate(Saturate(inChannels, c), 9), Saturate(Saturate(c, c), 9)));
                    parameters = Add(parameters, 2 * PerChannel(c));
                    if (s > 0 || inChannels != c) parameters = Add(parameters, Add(Saturate(inChannels, c), PerChannel(c)));
                    activations = Add(activations, Saturate(Saturate(c, h * w), 7));
                    inChannels = c;
                }
                features = inChannels;
                break;
            }
            default:
                features = (long)channels * height * width;
                break;
        }
        activations = Add(activations, features);
        foreach (int units in options.ResolvedHiddenSizes)
        {
            parameters = Add(parameters, Add(Saturate(features, units), units * (options.BatchNorm ? 3L : 1L)));
            activations = Add(activations, Saturate(units, 3));
            features = units;
        }
        parameters = Add(parameters, Add(Saturate(features, classes), classes));
        activations = Add(activations, classes);
        return new ModelBudget(parameters, activations);
    }

    /// <summary>Throws unless the network fits <see cref="ResourceLimits.MaxParameters"/> and, trained with batches of
    /// <paramref name="batchSize"/>, <see cref="ResourceLimits.MaxTrainingMemoryBytes"/>.</summary>
    /// <exception cref="ArgumentException">Over a limit (the message gives the estimate, the limit and how to raise it).</exception>
    public void Check(string preset, int batchSize)
    {
        long maxParameters = ResourceLimits.MaxParameters;
        if (Parameters > maxParameters)
            throw new ArgumentException(
                $"The {preset} would have {Parameters:N0} parameters; at most {maxParameters:N0} are built ({ResourceLimits.HowToRaise(ResourceLimits.MaxParametersVariable)}). Use smaller layers.");
        long bytes = PeakBytes(batchSize), maxBytes = ResourceLimits.MaxTrainingMemoryBytes;
        if (bytes > maxBytes)
            throw new ArgumentException(
                $"Training the {preset} with batches of {batchSize} would need about {bytes / (1 << 20):N0} MiB at its peak ({Parameters:N0} parameters, {ActivationsPerSample:N0} activations per image); at most {maxBytes / (1 << 20):N0} MiB is allowed ({ResourceLimits.HowToRaise(ResourceLimits.MaxTrainingMemoryVariable)}). Use smaller layers or a smaller --batch-size.");
    }

    private static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private static long Saturate(long a, long b) => a != 0 && b > long.MaxValue / a ? long.MaxValue : a * b;
}
