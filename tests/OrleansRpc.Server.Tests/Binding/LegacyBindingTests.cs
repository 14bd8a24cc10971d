using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Errors;

namespace OrleansRpc.Server.Tests.Binding;

/// <summary>0.5.3.8: required parameters positional in param, defaulted ones by name in default_param, exact type checks.</summary>
public sealed class LegacyBindingTests : IDisposable
{
    private readonly TestServer _server = new(r =>
    {
        r.Register((int a, int b) => a + b, "sum_sync");
        r.Register((string name, string greeting = "hello", string punct = "!") => $"{greeting}, {name}{punct}", "greet");
        r.Register((double x) => x * 2, "twice");
        r.Register((MessagePackValue value) => value, "echo");
        r.Register((byte[] data) => data.Length, "length");
        r.Register((bool flag, int? n = null) => flag ? n ?? -1 : 0, "flagged");
    });

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Positional_and_default_params_bind()
    {
        Assert.Equal(11, (await _server.Legacy("sum_sync", Msgpack.Array(5, 6))).Value.AsInt64());
        Assert.Equal("hi, ann?", (await _server.Legacy("greet", Msgpack.Array("ann"), Msgpack.Map(("greeting", "hi"), ("punct", "?")))).Value.AsString());
        Assert.Equal("hello, bob.", (await _server.Legacy("greet", Msgpack.Array("bob"), Msgpack.Map(("punct", ".")))).Value.AsString());
        Assert.Equal(5, (await _server.Legacy("flagged", Msgpack.Array(true), Msgpack.Map(("n", 5)))).Value.AsInt64());
    }

    [Theory]
    [InlineData(1, "Parse error. sum_sync takes 2 positional arguments but 1 were given")]
    [InlineData(3, "Parse error. sum_sync takes 2 positional arguments but 3 were given")]
    [InlineData(0, "Parse error. sum_sync takes 2 positional arguments but 0 were given")]
    public async Task Positional_count_mismatch_has_raps_text(int count, string expected)
    {
        var (result, _) = await _server.Legacy("sum_sync", Msgpack.Array([.. Enumerable.Range(1, count).Select(i => (MessagePackValue)i)]));
        Assert.Equal(504, result.StatusCode(RapVersion.V0538));
        Assert.Equal(expected, result.Message);
    }

    [Fact]
    public async Task A_defaulted_parameter_may_not_travel_positionally()
    {
        var (result, _) = await _server.Legacy("greet", Msgpack.Array("ann", "hi"));
        Assert.Equal("Parse error. greet takes 1 positional arguments but 2 were given", result.Message);
    }

    [Fact]
    public async Task Unknown_default_param_has_raps_text()
    {
        var (result, _) = await _server.Legacy("greet", Msgpack.Array("a"), Msgpack.Map(("zzz", 1)));
        Assert.Equal(RapErrorKind.ParseError, result.ErrorKind);
        Assert.Equal("Parse error. greet can not find default param name:{'zzz'}", result.Message);
    }

    [Fact]
    public async Task A_required_parameter_by_name_is_unknown_in_default_param()
    {
        var (result, _) = await _server.Legacy("greet", Msgpack.Array("a"), Msgpack.Map(("name", "b")));
        Assert.Equal("Parse error. greet can not find default param name:{'name'}", result.Message);
    }

    [Theory]
    [InlineData("sum_sync", "Parse error. x type must: <class 'int'>")]
    public async Task Type_mismatch_has_raps_text(string name, string expected)
    {
        var (result, _) = await _server.Legacy(name, Msgpack.Array(1, "x"));
        Assert.Equal(504, result.StatusCode(RapVersion.V0538));
        Assert.Equal(expected, result.Message);
    }

    [Fact]
    public async Task An_int_is_not_a_float_and_a_float_is_not_an_int()
    {
        Assert.Equal("Parse error. 2 type must: <class 'float'>", (await _server.Legacy("twice", Msgpack.Array(2))).Result.Message);
        Assert.Equal(4.0, (await _server.Legacy("twice", Msgpack.Array(2.0))).Value.AsDouble());
        Assert.Equal("Parse error. 1.5 type must: <class 'int'>", (await _server.Legacy("sum_sync", Msgpack.Array(1.5, 1))).Result.Message);
        Assert.Equal("Parse error. True type must: <class 'int'>", (await _server.Legacy("sum_sync", Msgpack.Array(true, 1))).Result.Message);
        Assert.Equal("Parse error. None type must: <class 'int'>", (await _server.Legacy("sum_sync", Msgpack.Array(MessagePackValue.Nil, 1))).Result.Message);
        Assert.Equal("Parse error. 1 type must: <class 'bool'>", (await _server.Legacy("flagged", Msgpack.Array(1))).Result.Message);
    }

    [Fact]
    public async Task Type_check_applies_to_default_params_too()
    {
        var (result, _) = await _server.Legacy("greet", Msgpack.Array("a"), Msgpack.Map(("punct", 1)));
        Assert.Equal("Parse error. 1 type must: <class 'str'>", result.Message);
    }

    [Fact]
    public async Task Top_level_bin_is_an_internal_error_but_nested_bin_is_fine()
    {
        var (result, _) = await _server.Legacy("echo", Msgpack.Array(new byte[] { 1, 2 }));
        Assert.Equal(RapErrorKind.RpcRunTimeError, result.ErrorKind);
        Assert.Equal(508, result.StatusCode(RapVersion.V0538));
        Assert.Equal("Rpc run time error", result.Message);

        var nested = Msgpack.Map(("bin", new byte[] { 0, 1, 255 }));
        var (ok, value) = await _server.Legacy("echo", Msgpack.Array(nested));
        Assert.True(ok.IsSuccess);
        Assert.Equal(nested, value);
    }

    [Fact]
    public async Task A_declared_byte_array_accepts_bin()
    {
        var (result, value) = await _server.Legacy("length", Msgpack.Array(new byte[] { 1, 2, 3 }));
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(3, value.AsInt64());
    }

    [Fact]
    public async Task Echo_accepts_every_other_type()
    {
        foreach (var v in new MessagePackValue[] { 0, -1, 1.5, true, MessagePackValue.Nil, "x", Msgpack.Array(1, "two"), Msgpack.Map(("", 0)) })
        {
            var (result, value) = await _server.Legacy("echo", Msgpack.Array(v));
            Assert.True(result.IsSuccess, result.ToString());
            Assert.Equal(v, value);
        }
    }
}
