using TorchSharp;
using OnnxReg.Training.Regularization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Regularization;

public class MaxNormConstraintTests
{
    [Test]
    public void RowsAboveTheLimit_AreScaledToIt_OthersAreUnchanged()
    {
        using var model = nn.Sequential(("fc", nn.Linear(2, 2)));
        var weight = ((Linear)model.children().First()).weight!;
        using (no_grad()) weight.copy_(tensor(new float[] { 3, 4, 0.3f, 0.4f }, [2, 2])); // row norms 5 and 0.5
        new MaxNormConstraint(model, 2).Apply();
        Assert.That(weight.data<float>().ToArray(), Is.EqualTo(new[] { 1.2f, 1.6f, 0.3f, 0.4f }).Within(1e-4));
    }

    [Test]
    public void ConvFilters_AreConstrainedEachAsAWhole()
    {
        using var model = nn.Sequential(("conv", nn.Conv2d(2, 3, 3)));
        var weight = ((Conv2d)model.children().First()).weight!;
        using (no_grad()) weight.mul_(100);
        new MaxNormConstraint(model, 1.5).Apply();
        var norms = weight.view(3, -1).norm(1).data<float>().ToArray();
        Assert.That(norms, Has.All.EqualTo(1.5f).Within(1e-3));
    }

    [Test]
    public void NonPositiveLimit_IsRejected()
    {
        using var model = nn.Sequential(("fc", nn.Linear(2, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MaxNormConstraint(model, 0));
    }
}
