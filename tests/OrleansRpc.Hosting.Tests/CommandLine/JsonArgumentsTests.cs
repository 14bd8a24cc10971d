using OrleansRpc.Host;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Hosting.Tests.CommandLine;

/// <summary>JSON arguments of <c>orleansrpc call</c> become the msgpack values Python's json + msgpack would send.</summary>
public sealed class JsonArgumentsTests
{
    [Theory]
    [InlineData("1", MessagePackValueKind.Integer)]
    [InlineData("-5", MessagePackValueKind.Integer)]
    [InlineData("18446744073709551615", MessagePackValueKind.UnsignedInteger)]
    [InlineData("1.0", MessagePackValueKind.Float64)]
    [InlineData("1e2", MessagePackValueKind.Float64)]
    [InlineData("2E-3", MessagePackValueKind.Float64)]
    [InlineData("\"1\"", MessagePackValueKind.String)]
    [InlineData("true", MessagePackValueKind.Boolean)]
    [InlineData("null", MessagePackValueKind.Nil)]
    [InlineData("[1]", MessagePackValueKind.Array)]
    [InlineData("{\"x\": 1}", MessagePackValueKind.Map)]
    public void Json_values_map_to_msgpack_kinds(string json, MessagePackValueKind kind)
    {
        Dictionary<string, object?> arguments = JsonArguments.Parse($$"""{"v": {{json}}}""");

        var value = Assert.IsType<MessagePackValue>(arguments["v"]);
        Assert.Equal(kind, value.Kind);
    }

    [Fact]
    public void Numbers_keep_their_value()
    {
        Dictionary<string, object?> arguments = JsonArguments.Parse("""{"i": -9007199254740993, "f": 1e2, "g": 0.25, "l": [1, 2.5]}""");

        Assert.Equal(-9007199254740993L, ((MessagePackValue)arguments["i"]!).AsInt64());
        Assert.Equal(100.0, ((MessagePackValue)arguments["f"]!).AsDouble());
        Assert.Equal(0.25, ((MessagePackValue)arguments["g"]!).AsDouble());
        Assert.Equal(MessagePackValue.FromArray(1L, 2.5), (MessagePackValue)arguments["l"]!);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("3")]
    [InlineData("{\"a\": 1e400}")]
    [InlineData("{\"a\": 99999999999999999999}")]
    public void Not_an_object_of_representable_values_is_a_format_error(string json) =>
        Assert.Throws<FormatException>(() => JsonArguments.Parse(json));
}
