namespace OnnxReg.Data.Tests;

public class ArgumentMessagesTests
{
    [Test]
    public void Plain_DropsTheParameterSuffix_AndTheActualValueLine()
    {
        Assert.That(ArgumentMessages.Plain(new ArgumentException("Rate must be in [0, 1).", "Rate")), Is.EqualTo("Rate must be in [0, 1)."));
        Assert.That(ArgumentMessages.Plain(new ArgumentOutOfRangeException("Rate", 1.5, "Rate must be in [0, 1).")), Is.EqualTo("Rate must be in [0, 1)."));
    }

    [Test]
    public void Plain_LeavesAMessageWithoutParameterAlone()
    {
        Assert.That(ArgumentMessages.Plain(new ArgumentException("A study needs at least one model.")), Is.EqualTo("A study needs at least one model."));
    }
}
