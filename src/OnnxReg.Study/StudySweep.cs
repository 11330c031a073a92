using System.Globalization;
using OnnxReg.Data;
using OnnxReg.Training;
using OnnxReg.Training.Techniques;

namespace OnnxReg.Study;

/// <summary>
/// Strength sweeps: one regularizer of <see cref="TechniqueRegistry"/> at several strengths, each a technique of its own (<c>l2-0.0001</c>…) that
/// remembers what it sweeps, so the report can draw the regularization path — validation and test accuracy and loss,
/// the gap and the weights against strength. Written on the command line as
/// <c>--techniques baseline,l2=1e-5,1e-4,1e-3,dropout=0.1,0.3,0.5</c>: a <c>NAME=VALUE</c> starts a sweep and the bare
/// numbers after it are more strengths of it.
/// </summary>
public static class StudySweep
{
    /// <summary>What can be swept — every technique of <see cref="TechniqueRegistry"/>, by name and alias — with what the strength means.</summary>
    public static IReadOnlyDictionary<string, string> Parameters { get; } =
        TechniqueRegistry.ByName.ToDictionary(p => p.Key, p => p.Value.Strength, StringComparer.Ordinal);

    /// <summary>The technique that applies <paramref name="parameter"/> at <paramref name="strength"/>: the registry's
    /// meaning of the name, as in train and tune.</summary>
    /// <exception cref="ArgumentException">The parameter is not a technique, or the strength is out of its range.</exception>
    public static StudyTechnique At(string parameter, double strength)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        var technique = TechniqueRegistry.Find(parameter) ?? throw new ArgumentException(
            $"'{PrintableText.Escape(parameter, 40)}' cannot be swept{Hint(parameter)}; these can: {string.Join(", ", TechniqueRegistry.All.Select(t => t.Name))}.", nameof(parameter));
        technique.Apply(new TrainingConfiguration(), strength); // the strength's range, checked now rather than at the first run
        return new StudyTechnique($"{technique.Name}-{Format(strength)}") { Sweep = technique.Name, Strength = strength };
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
    public static string Format(double strength) => RegularizationTechnique.Format(strength);

    private static bool LooksNumeric(string item) => item.Length > 0 && (char.IsAsciiDigit(item[0]) || item[0] is '.' or '-' or '+');

    private static string Hint(string parameter) => DidYouMean.Hint(parameter, Parameters.Keys);
}
