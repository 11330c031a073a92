namespace OnnxReg.Training.Techniques;

/// <summary>Batch normalization after each hidden layer and convolution (Ioffe &amp; Szegedy).</summary>
internal sealed class BatchNormTechnique : RegularizationTechnique
{
    public override int Order => 100;
    public override string Name => "batch-norm";
    public override string Summary => "normalize each hidden layer's and convolution's outputs over the batch (BatchNorm)";
    public override string Strength => "1 to add batch norm";
    public override string AtZero => "no batch norm";
    public override double MaxStrength => 1;
    public override bool WholeNumbers => true;
    public override IReadOnlyList<string> TrainArguments(double s) => ["--batch-norm", s == 1 ? "true" : "false"];
    protected override TrainingConfiguration ApplyStrength(TrainingConfiguration c, double s) => c with { Model = c.Model with { BatchNorm = s == 1 } };
    public override double StrengthIn(TrainingConfiguration c) => c.Model.BatchNorm ? 1 : 0;
    public override string? Describe(TrainingConfiguration c) => c.Model.BatchNorm ? "batch norm" : null;
}
