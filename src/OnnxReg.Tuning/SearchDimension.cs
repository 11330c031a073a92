using System.Globalization;
using System.Text.Json.Nodes;
using OnnxReg.Data;

namespace OnnxReg.Tuning;

/// <summary>How a dimension's values are drawn.</summary>
public enum DimensionKind
{
    /// <summary>Log-uniform between two positive bounds (penalties, learning rates).</summary>
    Log,

    /// <summary>Uniform between two bounds (rates, strengths).</summary>
    Linear,

    /// <summary>A whole number, uniform between two bounds (patience, batch size).</summary>
    Integer,

    /// <summary>One of a list of values (an optimizer, a schedule).</summary>
    Choice,
}

/// <summary>
/// One dimension of a search space: an option of the training configuration (<see cref="ConfigurationPaths"/>) and the
/// values it may take. Written <c>l2=log:1e-6:1e-2</c>, <c>dropout=0:0.6</c>, <c>patience=int:2:8</c> or
/// <c>optimizer=adam|sgd|adamw</c>.
/// </summary>
public sealed record SearchDimension(string Name, DimensionKind Kind, double Min = 0, double Max = 0, IReadOnlyList<string>? Choices = null)
{
    /// <summary>A value drawn with <paramref name="random"/>.</summary>
    public JsonNode Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Kind switch
        {
            DimensionKind.Log => Round(Math.Exp(Math.Log(Min) + random.NextDouble() * (Math.Log(Max) - Math.Log(Min)))),
            DimensionKind.Linear => Round(Min + random.NextDouble() * (Max - Min)),
            DimensionKind.Integer => JsonValue.Create((long)Min + random.NextInt64((long)Max - (long)Min + 1)),
            _ => Choice(Choices![random.Next(Choices.Count)]),
        };
    }

    /// <summary><paramref name="points"/> values spread over the range (evenly, or evenly in the logarithm), or every choice.</summary>
    public IReadOnlyList<JsonNode> Grid(int points)
    {
        if (Kind == DimensionKind.Choice) return Choices!.Select(Choice).ToList();
        if (points < 2) return [Kind == DimensionKind.Integer ? JsonValue.Create((long)Math.Round((Min + Max) / 2)) : Round(Kind == DimensionKind.Log ? Math.Sqrt(Min * Max) : (Min + Max) / 2)];
        var values = Enumerable.Range(0, points).Select(i => i / (double)(points - 1))
            .Select(t => Kind == DimensionKind.Log ? Math.Exp(Math.Log(Min) + t * (Math.Log(Max) - Math.Log(Min))) : Min + t * (Max - Min));
        return Kind == DimensionKind.Integer
            ? values.Select(v => (long)Math.Round(v)).Distinct().Select(v => (JsonNode)JsonValue.Create(v)).ToList()
            : values.Select(v => (JsonNode)Round(v)).ToList();
    }

    /// <summary>Reads <c>NAME=log:MIN:MAX</c>, <c>NAME=MIN:MAX</c>, <c>NAME=int:MIN:MAX</c> or <c>NAME=A|B|C</c>.</summary>
    /// <exception cref="FormatException">Not of one of those forms, or the bounds are out of order or not positive on a log scale.</exception>
    public static SearchDimension Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('=', 2);
        if (parts.Length != 2 || parts[0].Trim().Length == 0)
            throw new FormatException($"'{PrintableText.Escape(text, 60)}' is not NAME=RANGE (e.g. l2=log:1e-6:1e-2, dropout=0:0.6, patience=int:2:8, optimizer=adam|sgd).");
        string name = parts[0].Trim(), range = parts[1].Trim();
        if (range.Contains('|'))
        {
            var choices = range.Split('|', StringSplitOptions.TrimEntries);
            if (choices.Any(c => c.Length == 0) || choices.Distinct().Count() != choices.Length)
                throw new FormatException($"The choices of {name} ('{PrintableText.Escape(range, 60)}') must be distinct and non-empty.");
            return new SearchDimension(name, DimensionKind.Choice, Choices: choices);
        }
        var fields = range.Split(':');
        var kind = fields[0] switch { "log" => DimensionKind.Log, "int" => DimensionKind.Integer, _ => DimensionKind.Linear };
        if (kind != DimensionKind.Linear) fields = fields[1..];
        if (fields.Length != 2 || !double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double min)
            || !double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double max) || !double.IsFinite(min) || !double.IsFinite(max))
            throw new FormatException($"The range of {name} ('{PrintableText.Escape(range, 60)}') is not MIN:MAX, log:MIN:MAX, int:MIN:MAX or A|B|C.");
        if (!(min < max))
            throw new FormatException($"The range of {name} must have MIN < MAX; received {range}.");
        if (kind == DimensionKind.Log && min <= 0)
            throw new FormatException($"A log range needs positive bounds; {name} starts at {fields[0]} (use MIN:MAX for a linear range from 0).");
        if (kind == DimensionKind.Integer && (min != Math.Floor(min) || max != Math.Floor(max)))
            throw new FormatException($"An int range needs whole bounds; {name} has {range}.");
        return new SearchDimension(name, kind, min, max);
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        DimensionKind.Choice => $"{Name}={string.Join("|", Choices!)}",
        DimensionKind.Log => $"{Name}=log:{F(Min)}:{F(Max)}",
        DimensionKind.Integer => $"{Name}=int:{F(Min)}:{F(Max)}",
        _ => $"{Name}={F(Min)}:{F(Max)}",
    };

    private static string F(double value) => OnnxReg.Training.Techniques.RegularizationTechnique.Format(value);

    // Four significant digits: enough to tell trials apart, short enough to read in a table and a folder's JSON.
    private static JsonNode Round(double value) => JsonValue.Create(double.Parse(value.ToString("G4", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));

    private static JsonNode Choice(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) ? JsonValue.Create(number)
        : bool.TryParse(value, out bool flag) ? JsonValue.Create(flag)
        : JsonValue.Create(value);
}
