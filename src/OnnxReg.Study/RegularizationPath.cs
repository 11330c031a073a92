namespace OnnxReg.Study;

/// <summary>One strength of a sweep and what the study measured at it.</summary>
public sealed record PathPoint(double Strength, TechniqueSummary Summary);

/// <summary>
/// One model's regularization path for one swept parameter: the techniques of a strength sweep in order of strength,
/// with the study's reference technique beside them (when it sweeps nothing, it is the unregularized end of the path).
/// </summary>
/// <param name="Model">The model.</param>
/// <param name="Parameter">What was swept (<see cref="StudySweep.Parameters"/>).</param>
/// <param name="Reference">The reference technique's summary (e.g. <c>baseline</c>), or null when it is itself in this sweep.</param>
/// <param name="Points">The strengths, ascending.</param>
public sealed record RegularizationPath(string Model, string Parameter, TechniqueSummary? Reference, IReadOnlyList<PathPoint> Points)
{
    /// <summary>Whether the strengths span a factor of ten or more with none at zero, so they are drawn on a log axis.</summary>
    public bool Logarithmic => Points.Count > 1 && Points[0].Strength > 0 && Points[^1].Strength / Points[0].Strength >= 10;

    /// <summary>Every path of <paramref name="report"/>: per model, each parameter swept at two or more strengths.</summary>
    public static IReadOnlyList<RegularizationPath> Of(StudyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var paths = new List<RegularizationPath>();
        var techniques = report.Definition.Techniques;
        var referenceTechnique = techniques[0];
        foreach (var model in report.Definition.Models)
        {
            var summaries = report.Summaries.Where(s => s.Model == model.Name).ToDictionary(s => s.Technique);
            var reference = referenceTechnique.Sweep is null ? summaries.GetValueOrDefault(referenceTechnique.Name) : null;
            foreach (var sweep in techniques.Where(t => t.Sweep is not null).GroupBy(t => t.Sweep!))
            {
                var points = sweep.Where(t => summaries.ContainsKey(t.Name)).Select(t => new PathPoint(t.Strength!.Value, summaries[t.Name]))
                    .OrderBy(p => p.Strength).ToList();
                if (points.Count >= 2)
                    paths.Add(new RegularizationPath(model.Name, sweep.Key, reference, points));
            }
        }
        return paths;
    }
}
