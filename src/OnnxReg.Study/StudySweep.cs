using System.Globalization;
using OnnxReg.Data;
using OnnxReg.Training.Callbacks;

namespace OnnxReg.Study;

/// <summary>
/// Strength sweeps: one regularizer at several strengths, each a technique of its own (<c>l2-0.0001</c>…) that
/// remembers what it sweeps, so the report can draw the regularization path — validation and test accuracy and loss,
/// the gap and the weights against strength. Written on the command line as
/// <c>--techniques baseline,l2=1e-5,1e-4,1e-3,dropout=0.1,0.3,0.5</c>: a <c>NAME=VALUE</c> starts a sweep and the bare
/// numbers after it are more strengths of it.
/// </summary>
public static class StudySweep
{
    private const string DefaultAugmentation = "hflip,rotate={0},scale={1}:{2},translate={3}";

    /// <summary>What can be swept, with what the strength means.</summary>
    public static IReadOnlyDictionary<string, string> Parameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["l1"] = "L1 penalty strength",
        ["l2"] = "L2 penalty strength",
        ["dropout"] = "dropout rate at every dense dropout position",
        ["spatial-dropout"] = "Dropout2d rate",
        ["max-norm"] = "max-norm limit",
        ["label-smoothing"] = "label smoothing epsilon",
        ["weight-decay"] = "AdamW decoupled weight decay",
        ["augmentation"] = "augmentation strength s: hflip, rotate 10·s°, scale 1 ± 0.1·s, translate 0.08·s (0: none)",
        ["early-stopping"] = "early-stopping patience in epochs (on val_loss, best weights restored)",
    };

    /// <summary>The technique that applies <paramref name="parameter"/> at <paramref name="strength"/>.</summary>
    /// <exception cref="ArgumentException">The parameter is not one of <see cref="Parameters"/>, or the strength is out of its range.</exception>
    public static StudyTechnique At(string parameter, double strength)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (!double.IsFinite(strength) || strength < 0)
            throw new ArgumentOutOfRangeException(nameof(strength), strength, $"A {parameter} strength must be a finite number ≥ 0; received {strength}.");
        string name = $"{parameter}-{Format(strength)}";
        var technique = parameter switch
        {
            "l1" => new StudyTechnique(name, L1: strength),
            "l2" => new StudyTechnique(name, L2: strength),
            "dropout" => new StudyTechnique(name, Dropout: strength),
            "spatial-dropout" => new StudyTechnique(name, SpatialDropout: strength),
            "max-norm" => new StudyTechnique(name, MaxNorm: strength),
            "label-smoothing" => new StudyTechnique(name, LabelSmoothing: strength),
            "weight-decay" => new StudyTechnique(name, WeightDecay: strength),
            "augmentation" => new StudyTechnique(name, Augment: Augmentation(strength)),
            "early-stopping" when strength == Math.Floor(strength) && strength <= 1000 =>
                new StudyTechnique(name, EarlyStopping: new EarlyStoppingOptions(Monitor: "val_loss", Patience: (int)strength)),
            "early-stopping" => throw new ArgumentOutOfRangeException(nameof(strength), strength, $"Early-stopping patience must be a whole number of epochs; received {strength}."),
            _ => throw new ArgumentException(
                $"'{PrintableText.Escape(parameter, 40)}' cannot be swept{Hint(parameter)}; these can: {string.Join(", ", Parameters.Keys)}.", nameof(parameter)),
        };
        return technique with { Sweep = parameter, Strength = strength };
    }

    /// <summary>
    /// Reads a <c>--techniques</c> list: names of the study's techniques (looked up in <paramref name="available"/>)
    /// and sweeps <c>NAME=S1,S2,…</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A name is unknown, a strength is not a number, or a sweep repeats a strength.</exception>
    public static List<StudyTechnique> Parse(string text, IReadOnlyList<StudyTechnique> available)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(available);
        var techniques = new List<StudyTechnique>();
        string? sweep = null;
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = item.Split('=', 2);
            string? strengthText = parts.Length == 2 ? parts[1] : sweep is not null && LooksNumeric(item) ? item : null;
            if (parts.Length == 2) sweep = parts[0];
            else if (strengthText is null) sweep = null;
            if (strengthText is null)
            {
                techniques.Add(available.FirstOrDefault(t => t.Name == item)
                    ?? throw new ArgumentException($"'{PrintableText.Escape(item, 60)}' is not in the study{DidYouMean.Hint(item, available.Select(t => t.Name))}; available: {string.Join(", ", available.Select(t => t.Name))}; or sweep one of {string.Join(", ", Parameters.Keys)} as NAME=S1,S2,…"));
                continue;
            }
            if (!double.TryParse(strengthText, NumberStyles.Float, CultureInfo.InvariantCulture, out double strength))
                throw new ArgumentException($"'{PrintableText.Escape(strengthText, 40)}' in the {sweep} sweep is not a number (e.g. 1e-4 or 0.3).");
            var technique = At(sweep!, strength);
            if (techniques.Any(t => t.Name == technique.Name))
                throw new ArgumentException($"The {sweep} sweep lists {Format(strength)} twice.");
            techniques.Add(technique);
        }
        if (techniques.Count == 0) throw new ArgumentException("No techniques given.");
        return techniques;
    }

    /// <summary>A strength as it appears in names and tables: shortest round-trip form, lower-case exponent.</summary>
    public static string Format(double strength) => strength.ToString("R", CultureInfo.InvariantCulture).ToLowerInvariant();

    /// <summary>The study's augmentation scaled by <paramref name="strength"/> (1 is the default study technique's).</summary>
    public static string Augmentation(double strength)
    {
        if (strength == 0) return "none";
        string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
        double scale = Math.Min(0.9, 0.1 * strength);
        return string.Format(CultureInfo.InvariantCulture, DefaultAugmentation, F(Math.Min(180, 10 * strength)), F(1 - scale), F(1 + scale), F(Math.Min(0.5, 0.08 * strength)));
    }

    private static bool LooksNumeric(string item) => item.Length > 0 && (char.IsAsciiDigit(item[0]) || item[0] is '.' or '-' or '+');

    private static string Hint(string parameter) => DidYouMean.Hint(parameter, Parameters.Keys);
}
