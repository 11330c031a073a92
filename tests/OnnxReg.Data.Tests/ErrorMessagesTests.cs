namespace OnnxReg.Data.Tests;

public class ErrorMessagesTests
{
    [Test]
    public void OneLine_DropsTheParameterSuffix_AndTheActualValueLine()
    {
        Assert.That(ErrorMessages.OneLine(new ArgumentException("Rate must be in [0, 1).", "Rate")), Is.EqualTo("Rate must be in [0, 1)."));
        Assert.That(ErrorMessages.OneLine(new ArgumentOutOfRangeException("Rate", 1.5, "Rate must be in [0, 1).")), Is.EqualTo("Rate must be in [0, 1)."));
    }

    [Test]
    public void OneLine_JoinsLines_AndLeavesAPlainMessageAlone()
    {
        Assert.That(ErrorMessages.OneLine(new ArgumentException("A study needs at least one model.")), Is.EqualTo("A study needs at least one model."));
        Assert.That(ErrorMessages.OneLine("first\n  second\n"), Is.EqualTo("first second"));
    }
}
