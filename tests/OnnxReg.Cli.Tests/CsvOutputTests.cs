using OnnxReg.Cli.Commands;

namespace OnnxReg.Cli.Tests;

/// <summary>CSV cells come from files a stranger wrote (class names, model paths): no raw control bytes reach the
/// terminal or the file, and no cell runs as a spreadsheet formula.</summary>
public class CsvOutputTests
{
    [Test]
    public void TextCells_AreEscaped_AndFormulasDefused_WhileNumbersStayNumbers()
    {
        var csv = OutputFormats.Csv(["model", "class", "accuracy"],
        [
            ["m\u001b]0;title\u0007.onnx", "\u001b[2J", -0.5],
            ["plain.onnx", "=cmd|' /C calc'!A0", 0.25],
            ["x.onnx", "@SUM(A1)", 1.0],
            ["y.onnx", "evil\u202eeulav", 2],
        ]);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(csv.Where(c => char.IsControl(c) && c != '\n' || c == '\u202e'), Is.Empty, "no raw control or direction characters");
        Assert.That(lines[1], Is.EqualTo(@"m\x1b]0;title\x07.onnx,\x1b[2J,-0.5"), "a negative number is not prefixed");
        Assert.That(lines[2], Is.EqualTo("plain.onnx,'=cmd|' /C calc'!A0,0.25"), "a leading apostrophe makes a spreadsheet show the text");
        Assert.That(lines[3], Is.EqualTo("x.onnx,'@SUM(A1),1"));
        Assert.That(lines[4], Is.EqualTo(@"y.onnx,evil\u202eeulav,2"));
    }
}
