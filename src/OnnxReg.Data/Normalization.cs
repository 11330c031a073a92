using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OnnxReg.Data;

/// <summary>
/// How raw pixels become model inputs: <c>x = (pixel / 255 − Mean[c]) / Std[c]</c> for channel <c>c</c>, with one mean
/// and standard deviation per channel (torchvision's <c>Normalize(mean, std)</c>), or one pair shared by every channel.
/// The trainer and the runtime both call <see cref="Apply(ReadOnlySpan{byte}, Span{float}, int)"/>, so the exported
/// model sees exactly the inputs it was trained on; the exporter records the values in the model's metadata as
/// <c>{"mean": m, "std": s}</c> (shared) or <c>{"mean": [r, g, b], "std": [r, g, b]}</c> (per channel).
/// </summary>
[JsonConverter(typeof(NormalizationJsonConverter))]
public sealed class Normalization : IEquatable<Normalization>
{
    private readonly float[] _means;
    private readonly float[] _stds;

    /// <summary>One mean and standard deviation for every channel.</summary>
    /// <param name="mean">Mean of the scaled pixels (0–1) subtracted from each value.</param>
    /// <param name="std">Standard deviation the centred values are divided by; must be positive.</param>
    public Normalization(float mean, float std) : this([mean], [std]) { }

    /// <summary>A mean and standard deviation per channel, in channel order (R, G, B for colour images).</summary>
    /// <exception cref="ArgumentException">The lists are empty or of different lengths.</exception>
    public Normalization(IReadOnlyList<float> means, IReadOnlyList<float> stds)
    {
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(stds);
        if (means.Count == 0 || means.Count != stds.Count)
            throw new ArgumentException($"A normalization needs one mean and one std per channel; received {means.Count} mean(s) and {stds.Count} std(s).", nameof(stds));
        _means = [.. means];
        _stds = [.. stds];
    }

    /// <summary>Scaling to 0–1 only.</summary>
    public static Normalization None { get; } = new(0f, 1f);

    /// <summary>The mean of each channel (one value when it is shared by every channel).</summary>
    public IReadOnlyList<float> Means => _means;

    /// <summary>The standard deviation of each channel (one value when it is shared by every channel).</summary>
    public IReadOnlyList<float> Stds => _stds;

    /// <summary>True when one mean and std apply to every channel.</summary>
    public bool IsShared => _means.Length == 1;

    /// <summary>The mean applied to channel <paramref name="channel"/>.</summary>
    public float MeanOf(int channel) => _means[IsShared ? 0 : channel];

    /// <summary>The standard deviation applied to channel <paramref name="channel"/>.</summary>
    public float StdOf(int channel) => _stds[IsShared ? 0 : channel];

    /// <summary>The normalized value of a black pixel in channel <paramref name="channel"/> (what geometric augmentations fill uncovered areas with).</summary>
    public float BackgroundOf(int channel) => -MeanOf(channel) / StdOf(channel);

    /// <summary>
    /// The mean and standard deviation of <paramref name="pixels"/> scaled to 0–1, shared by every channel (for
    /// Fashion-MNIST's training set: 0.2860 and 0.3530). Estimate on the training split only, never on test data.
    /// </summary>
    /// <exception cref="ArgumentException">No pixels, or all pixels equal (no spread to divide by).</exception>
    public static Normalization Estimate(ReadOnlySpan<byte> pixels)
    {
        Span<long> histogram = stackalloc long[256];
        foreach (byte p in pixels) histogram[p]++;
        var (mean, std) = MeanAndStd(histogram, "pixels");
        return new Normalization(mean, std);
    }

    /// <summary>
    /// The normalization of <paramref name="data"/>'s pixels: for one channel as <see cref="Estimate(ReadOnlySpan{byte})"/>,
    /// for several a mean and std per channel (ImageNet's are [0.485, 0.456, 0.406] and [0.229, 0.224, 0.225]).
    /// Estimate on the training split only, never on test data.
    /// </summary>
    /// <exception cref="ArgumentException">No images, or a channel whose pixels are all equal.</exception>
    public static Normalization Estimate(ImageDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        // One pass in chunks of images: a streamed split is read from disk once and never held whole. Histograms are
        // exact counts, so the chunking changes nothing in the result.
        int plane = data.Height * data.Width;
        var histograms = new long[data.Channels * 256];
        int chunk = Math.Max(1, Math.Min(data.Count, (int)Math.Min(4096, (16L << 20) / data.SampleSize)));
        var buffer = data.IsStreamed ? new byte[(long)chunk * data.SampleSize] : [];
        for (int start = 0; start < data.Count; start += chunk)
        {
            int count = Math.Min(chunk, data.Count - start);
            var pixels = data.View(start, count, buffer);
            for (int image = 0; image < count; image++)
                for (int c = 0; c < data.Channels; c++)
                {
                    var histogram = histograms.AsSpan(c * 256, 256);
                    foreach (byte p in pixels.Slice((image * data.Channels + c) * plane, plane)) histogram[p]++;
                }
        }
        if (data.Channels == 1)
        {
            var (mean, std) = MeanAndStd(histograms, "pixels");
            return new Normalization(mean, std);
        }
        var means = new float[data.Channels];
        var stds = new float[data.Channels];
        for (int c = 0; c < data.Channels; c++)
            (means[c], stds[c]) = MeanAndStd(histograms.AsSpan(c * 256, 256), $"channel {c}'s pixels");
        return new Normalization(means, stds);
    }

    private static (float Mean, float Std) MeanAndStd(ReadOnlySpan<long> histogram, string what)
    {
        double count = 0, sum = 0, sumOfSquares = 0;
        for (int v = 0; v < 256; v++)
        {
            double x = v / 255.0;
            count += histogram[v];
            sum += histogram[v] * x;
            sumOfSquares += histogram[v] * x * x;
        }
        if (count == 0)
            throw new ArgumentException("Cannot estimate a normalization from zero pixels.", "pixels");
        double mean = sum / count;
        double std = Math.Sqrt(Math.Max(0, sumOfSquares / count - mean * mean));
        if (std < 1e-6)
            throw new ArgumentException($"All {what} have the same value; there is no spread to normalize by.", "pixels");
        return ((float)Math.Round(mean, 4), (float)Math.Round(std, 4));
    }

    /// <summary>Checks that the values can be used, and that a per-channel normalization has <paramref name="channels"/> entries.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A std is not positive, a value is not finite, or the channel count differs.</exception>
    public void Validate(int? channels = null)
    {
        for (int c = 0; c < _means.Length; c++)
        {
            if (!float.IsFinite(_means[c]))
                throw new ArgumentOutOfRangeException(nameof(Means), _means[c], $"Normalization mean must be finite. Received: Mean={_means[c]}.");
            if (!(_stds[c] > 0) || !float.IsFinite(_stds[c]))
                throw new ArgumentOutOfRangeException(nameof(Stds), _stds[c], $"Normalization std must be positive and finite. Received: Std={_stds[c]}.");
        }
        if (channels is int count && !IsShared && _means.Length != count)
            throw new ArgumentOutOfRangeException(nameof(Means), _means.Length, $"The normalization has {_means.Length} channels but the images have {count}.");
    }

    /// <summary>Normalizes <paramref name="pixels"/> into <paramref name="destination"/> (same length) with a shared mean and std.</summary>
    /// <exception cref="InvalidOperationException">The normalization is per channel: use the overload that takes the channel size.</exception>
    public void Apply(ReadOnlySpan<byte> pixels, Span<float> destination)
    {
        if (!IsShared)
            throw new InvalidOperationException($"This normalization has {_means.Length} channels; call Apply(pixels, destination, pixelsPerChannel).");
        Apply(pixels, destination, pixels.Length);
    }

    /// <summary>Normalizes CHW <paramref name="pixels"/> (one image or many in a row) into <paramref name="destination"/>:
    /// value <c>i</c> belongs to channel <c>(i / pixelsPerChannel) mod channels</c>.</summary>
    /// <param name="pixels">Pixel values 0–255.</param>
    /// <param name="destination">At least as long as <paramref name="pixels"/>.</param>
    /// <param name="pixelsPerChannel">Height × width of one channel plane.</param>
    public void Apply(ReadOnlySpan<byte> pixels, Span<float> destination, int pixelsPerChannel)
    {
        if (destination.Length < pixels.Length)
            throw new ArgumentException($"Destination holds {destination.Length} values; {pixels.Length} are needed.", nameof(destination));
        ArgumentOutOfRangeException.ThrowIfLessThan(pixelsPerChannel, 1);
        float scale = 1f / 255f;
        if (IsShared)
        {
            float mean = _means[0], inverseStd = 1f / _stds[0];
            for (int i = 0; i < pixels.Length; i++)
                destination[i] = (pixels[i] * scale - mean) * inverseStd;
            return;
        }
        for (int start = 0, c = 0; start < pixels.Length; start += pixelsPerChannel, c = (c + 1) % _means.Length)
        {
            float mean = _means[c], inverseStd = 1f / _stds[c];
            int end = Math.Min(pixels.Length, start + pixelsPerChannel);
            for (int i = start; i < end; i++)
                destination[i] = (pixels[i] * scale - mean) * inverseStd;
        }
    }

    /// <inheritdoc />
    public bool Equals(Normalization? other) =>
        other is not null && _means.AsSpan().SequenceEqual(other._means) && _stds.AsSpan().SequenceEqual(other._stds);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Normalization);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var m in _means) hash.Add(m);
        foreach (var s in _stds) hash.Add(s);
        return hash.ToHashCode();
    }

    /// <summary>E.g. <c>mean 0.286, std 0.353</c> or <c>mean [0.49, 0.48, 0.45], std [0.25, 0.24, 0.26]</c>.</summary>
    public override string ToString() => IsShared
        ? $"mean {F(_means[0])}, std {F(_stds[0])}"
        : $"mean [{string.Join(", ", _means.Select(F))}], std [{string.Join(", ", _stds.Select(F))}]";

    private static string F(float value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}

/// <summary>Writes a <see cref="Normalization"/> as <c>{"mean": m, "std": s}</c> when shared (the form every model and
/// checkpoint of OnnxReg 0.1 holds, so their bytes do not change) or with lists per channel; reads either.</summary>
internal sealed class NormalizationJsonConverter : JsonConverter<Normalization>
{
    public override Normalization Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("A normalization is an object {\"mean\": …, \"std\": …}.");
        float[]? means = null, stds = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.TokenType != JsonTokenType.PropertyName) throw new JsonException("Expected a property name.");
            string name = reader.GetString()!;
            reader.Read();
            var values = ReadValues(ref reader);
            if (name.Equals("mean", StringComparison.OrdinalIgnoreCase)) means = values;
            else if (name.Equals("std", StringComparison.OrdinalIgnoreCase)) stds = values;
        }
        if (means is null || stds is null)
            throw new JsonException("A normalization needs both \"mean\" and \"std\".");
        if (means.Length != stds.Length || means.Length is 0 or > 64)
            throw new JsonException($"A normalization needs as many means as stds (1 to 64); received {means.Length} and {stds.Length}.");
        return new Normalization(means, stds);
    }

    private static float[] ReadValues(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number)
            return [reader.GetSingle()];
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException("A normalization's mean and std are numbers or lists of numbers.");
        var values = new List<float>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || values.Count >= 64)
                throw new JsonException("A normalization's lists hold at most 64 numbers.");
            values.Add(reader.GetSingle());
        }
        return [.. values];
    }

    public override void Write(Utf8JsonWriter writer, Normalization value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        Write(writer, "mean", value.Means, value.IsShared);
        Write(writer, "std", value.Stds, value.IsShared);
        writer.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter writer, string name, IReadOnlyList<float> values, bool shared)
    {
        writer.WritePropertyName(name);
        if (shared)
        {
            writer.WriteNumberValue(values[0]);
            return;
        }
        writer.WriteStartArray();
        foreach (var v in values) writer.WriteNumberValue(v);
        writer.WriteEndArray();
    }
}
