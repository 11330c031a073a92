namespace OnnxReg.Training.Tests.Techniques;

/// <summary>A technique without a property of its own keeps its strength in the configuration's <c>techniques</c>,
/// checked like every other setting.</summary>
public class StoredTechniquesTests
{
    [Test]
    public void AnUnknownOrOutOfRangeStoredTechnique_IsRefused_NamingIt()
    {
        Assert.That(() => TrainingConfiguration.FromJson("{\"techniques\": {\"dropp-path\": 0.1}}"),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains("'dropp-path' is not a technique kept in 'techniques'"));
        Assert.That(new TrainingConfiguration().ToJson(), Does.Not.Contain("techniques"), "absent when none is set, so existing configurations are unchanged");
    }
}
