using System.Text.Json;
using System.Text.Json.Serialization;

namespace OnnxReg.Data.Tests;

/// <summary>Errors in a JSON file a person wrote are described in that file's words: its path, the kind of value
/// expected, the nearest known property — never a .NET type or member name.</summary>
public class JsonErrorsTests
{
    public enum Mode { Fast, Careful }

    public sealed record Inner(int Epochs = 1, double Rate = 0.1, Mode Mode = Mode.Fast, string[]? Tags = null);

    public sealed record Outer(Inner? Training = null, IReadOnlyList<Inner>? Runs = null);

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private static string Describe(string json)
    {
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Outer>(json, Options))!;
        var text = JsonErrors.Describe(e, typeof(Outer), Options);
        Assert.That(text, Does.Not.Contain("Inner").And.Not.Contain("System.").And.Not.Contain(".NET"), "no .NET names: " + text);
        return text;
    }

    [Test]
    public void UnknownProperty_NamesWhereItIs_TheNearestKnownName_AndWhatIsKnown() =>
        Assert.That(Describe("{\"training\": {\"epoch\": 3}}"), Is.EqualTo(
            "unknown property 'epoch' in 'training' (line 1, column 23) (did you mean 'epochs'?); known properties there: epochs, rate, mode, tags"));

    [Test]
    public void UnknownPropertyInAListItem_NamesTheItem() =>
        Assert.That(Describe("{\"runs\": [{\"epochs\": 1}, {\"rait\": 2}]}"), Does.StartWith("unknown property 'rait' in 'runs[1]'").And.Contain("did you mean 'rate'?"));

    [TestCase("{\"training\": {\"epochs\": \"ten\"}}", "the value of 'training.epochs' (line 1, column 30) must be a whole number")]
    [TestCase("{\"training\": {\"rate\": true}}", "the value of 'training.rate' (line 1, column 27) must be a number (e.g. 0.001 or 1e-3)")]
    [TestCase("{\"training\": {\"mode\": \"quick\"}}", "the value of 'training.mode' (line 1, column 30) must be one of \"fast\", \"careful\"")]
    [TestCase("{\"training\": {\"tags\": [1]}}", "the value of 'training.tags[0]' (line 1, column 25) must be a string in double quotes")]
    [TestCase("{\"training\": 5}", "the value of 'training' (line 1, column 15) must be an object {...}")]
    public void WrongKindOfValue_SaysWhatKindIsExpected(string json, string expected) =>
        Assert.That(Describe(json), Is.EqualTo(expected));

    [Test]
    public void MalformedJson_KeepsTheReadersWords_WithALineAndColumn() =>
        Assert.That(Describe("{\"training\": "), Does.StartWith("Expected depth to be zero").And.EndWith("(line 1, column 14)"));
}
