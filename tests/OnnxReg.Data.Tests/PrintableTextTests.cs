namespace OnnxReg.Data.Tests;

public class PrintableTextTests
{
    [TestCase("Coat", "Coat")]
    [TestCase("bag\nAnkle boot 0.999", "bag\\nAnkle boot 0.999")]
    [TestCase("\u001b[31mred\u001b[0m", "\\x1b[31mred\\x1b[0m")]
    [TestCase("tab\there\r", "tab\\there\\r")]
    [TestCase("evil\u202egpj.exe", "evil\\u202egpj.exe")]
    [TestCase("émoji 👟 ok", "émoji 👟 ok")]
    public void Escape_ShowsControlAndFormatCharactersAsEscapes(string text, string expected) =>
        Assert.That(PrintableText.Escape(text), Is.EqualTo(expected));

    [Test]
    public void Escape_CutsLongTextAndSaysHowLongItWas() =>
        Assert.That(PrintableText.Escape(new string('a', 10_000), 5), Is.EqualTo("aaaaa… (10,000 characters)"));
}
