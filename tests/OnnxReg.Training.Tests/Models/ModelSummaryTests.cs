using OnnxReg.Training.Models;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Models;

public class ModelSummaryTests
{
    [Test]
    public void Summary_ListsEachLayerWithItsOutputShapeAndParameters()
    {
        using var model = nn.Sequential(
            ("features", nn.Sequential(("conv", nn.Conv2d(1, 4, 3, padding: 1)), ("pool", nn.MaxPool2d(2)))),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(4 * 14 * 14, 10)));
        var rows = ModelSummary.Of(model, [1, 28, 28]);
        Assert.That(rows.Select(r => (r.Name, r.Type, string.Join("x", r.OutputShape), r.Parameters)), Is.EqualTo(new[]
        {
            ("features.conv", "Conv2d", "1x4x28x28", 4L * 1 * 3 * 3 + 4),  // 40
            ("features.pool", "MaxPool2d", "1x4x14x14", 0L),
            ("flatten", "Flatten", "1x784", 0L),
            ("fc", "Linear", "1x10", 784L * 10 + 10),                     // 7,850
        }));
        Assert.That(ModelSummary.ParameterCount(model), Is.EqualTo(40 + 7850));
        Assert.That(model.training, Is.True, "the model's mode is put back");
    }

    [Test]
    public void Summary_OfAShapeTheModelRejects_Throws()
    {
        using var model = nn.Sequential(("fc", nn.Linear(10, 2)));
        Assert.That(() => ModelSummary.Of(model, [3]), Throws.Exception);
    }
}
