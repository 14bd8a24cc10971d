using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;
using OrleansRpc.Protocol.Errors;

namespace OrleansRpc.Server.Tests.Binding;

/// <summary>HEAD: all parameters by name in one map; rap's exact 1002 texts; no rap type check.</summary>
public sealed class HeadBindingTests : IDisposable
{
    private readonly TestServer _server = new(r =>
    {
        r.Register((int a, int b) => a + b, "sum");
        r.Register((string name, string greeting = "hello", string punct = "!") => $"{greeting}, {name}{punct}", "greet");
        r.Register((double x) => x * 2, "twice");
        r.Register((int? n, string? s) => $"{n?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}/{s ?? "null"}", "nullable");
        r.Register((byte[] data) => data.Reverse().ToArray(), "reverse");
        r.Register((MessagePackValue value) => value, "any");
        r.Register((List<int> items, int[] more) => items.Sum() + more.Sum(), "sum_list");
        r.Register((Dictionary<string, long> counts) => counts.Where(kv => kv.Value > 1).ToDictionary(kv => kv.Key.ToUpperInvariant(), kv => kv.Value), "dict");
        r.Register((Point p) => new Point(p.X + 1, p.Y + 1, p.Label + "!"), "move");
        r.Register((Settings s) => s, "settings");
        r.Register((long a, CancellationToken ct, RapCallContext ctx) => ctx.Function!.Name + ":" + a + ":" + ct.CanBeCanceled, "injected");
        r.Register(() => { }, "nothing");
        r.Register((ulong big, short small, byte b, float f, bool flag) => $"{big}|{small}|{b}|{f.ToString(System.Globalization.CultureInfo.InvariantCulture)}|{flag}", "scalars");
    });

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Binds_by_name_in_any_order()
    {
        var (result, value) = await _server.Head("sum", Msgpack.Map(("b", 2), ("a", 40)));
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(42, value.AsInt64());
    }

    [Fact]
    public async Task Missing_required_argument_has_raps_text()
    {
        var (result, _) = await _server.Head("sum", Msgpack.Map(("a", 1)));
        Assert.Equal(RapCallOutcome.StatusError, result.Outcome);
        Assert.Equal(1002, result.StatusCode(RapVersion.Head));
        Assert.Equal("Parse error. missing a required argument: 'b'", result.Message);
    }

    [Fact]
    public async Task Unexpected_keyword_has_raps_text()
    {
        var (result, _) = await _server.Head("greet", Msgpack.Map(("name", "a"), ("zzz", 1)));
        Assert.Equal(RapErrorKind.ParseError, result.ErrorKind);
        Assert.Equal("Parse error. got an unexpected keyword argument 'zzz'", result.Message);
    }

    [Fact]
    public async Task Missing_is_reported_before_unexpected_like_pythons_bind()
    {
        var (result, _) = await _server.Head("sum", Msgpack.Map(("zzz", 1), ("b", 2)));
        Assert.Equal("Parse error. missing a required argument: 'a'", result.Message);
    }

    [Fact]
    public async Task Optional_parameters_take_their_defaults()
    {
        Assert.Equal("hello, ann!", (await _server.Head("greet", Msgpack.Map(("name", "ann")))).Value.AsString());
        Assert.Equal("hello, bob.", (await _server.Head("greet", Msgpack.Map(("name", "bob"), ("punct", ".")))).Value.AsString());
        Assert.Equal("hi, ann?", (await _server.Head("greet", Msgpack.Map(("punct", "?"), ("greeting", "hi"), ("name", "ann")))).Value.AsString());
    }

    [Fact]
    public async Task Wrong_type_is_a_python_TypeError_not_a_parse_error()
    {
        var (result, _) = await _server.Head("sum", Msgpack.Map(("a", 1), ("b", "x")));
        Assert.Equal(RapCallOutcome.FunctionError, result.Outcome);
        Assert.Equal(301, result.StatusCode(RapVersion.Head));
        Assert.Equal("TypeError", result.ExceptionName);
        Assert.Equal("argument 'b' must be int, not str", result.Message);
    }

    [Fact]
    public async Task Integer_out_of_range_is_an_OverflowError()
    {
        var (result, _) = await _server.Head("sum", Msgpack.Map(("a", 1L << 40), ("b", 1)));
        Assert.Equal("OverflowError", result.ExceptionName);
    }

    [Fact]
    public async Task Body_that_is_not_a_map_is_a_parse_error()
    {
        var (result, _) = await _server.Head("sum", Msgpack.Array(1, 2));
        Assert.Equal(RapErrorKind.ParseError, result.ErrorKind);
        Assert.StartsWith("Parse error. ", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_accepts_an_int_for_a_float_and_writes_a_float()
    {
        using var output = new PooledBufferWriter();
        var result = await _server.Dispatcher.InvokeAsync(TestServer.Context(), "default", "twice", RapArguments.Head(Msgpack.Bytes(Msgpack.Map(("x", 2)))), output);
        Assert.True(result.IsSuccess);
        Assert.Equal(MessagePackCode.Float64, output.WrittenSpan[0]);
        Assert.Equal(4.0, MessagePackValue.Parse(output.WrittenSpan).AsDouble());
    }

    [Fact]
    public async Task Nullable_parameters_accept_nil()
    {
        Assert.Equal("none/null", (await _server.Head("nullable", Msgpack.Map(("n", MessagePackValue.Nil), ("s", MessagePackValue.Nil)))).Value.AsString());
        Assert.Equal("5/x", (await _server.Head("nullable", Msgpack.Map(("n", 5), ("s", "x")))).Value.AsString());
    }

    [Fact]
    public async Task Non_nullable_string_rejects_nil()
    {
        var (result, _) = await _server.Head("greet", Msgpack.Map(("name", MessagePackValue.Nil)));
        Assert.Equal("TypeError", result.ExceptionName);
        Assert.Equal("argument 'name' must be str, not NoneType", result.Message);
    }

    [Fact]
    public async Task Byte_arrays_travel_as_bin()
    {
        var (result, value) = await _server.Head("reverse", Msgpack.Map(("data", new byte[] { 1, 2, 3 })));
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(MessagePackValueKind.Binary, value.Kind);
        Assert.Equal(new byte[] { 3, 2, 1 }, value.AsBinary().ToArray());
    }

    [Fact]
    public async Task Any_value_round_trips_byte_identically()
    {
        var nested = Msgpack.Map(("a", Msgpack.Array(1, -1, 1.5, "x", true, MessagePackValue.Nil, new byte[] { 0, 255 })), ("b", Msgpack.Map(("c", ulong.MaxValue))));
        using var output = new PooledBufferWriter();
        var result = await _server.Dispatcher.InvokeAsync(TestServer.Context(), "default", "any", RapArguments.Head(Msgpack.Bytes(Msgpack.Map(("value", nested)))), output);
        Assert.True(result.IsSuccess);
        Assert.Equal(nested.ToArray(), output.WrittenSpan.ToArray());
    }

    [Fact]
    public async Task Any_result_with_a_non_string_map_key_is_refused()
    {
        var bad = MessagePackValue.FromMap([new KeyValuePair<MessagePackValue, MessagePackValue>(1, "x")]);
        var (result, _) = await _server.Head("any", Msgpack.Map(("value", bad)));
        Assert.Equal(RapCallOutcome.StatusError, result.Outcome);
        Assert.Equal(RapErrorKind.RpcRunTimeError, result.ErrorKind);
    }

    [Fact]
    public async Task Lists_and_arrays_bind_from_msgpack_arrays()
    {
        var (result, value) = await _server.Head("sum_list", Msgpack.Map(("items", Msgpack.Array(1, 2)), ("more", Msgpack.Array(3))));
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(6, value.AsInt64());
    }

    [Fact]
    public async Task String_keyed_dictionaries_round_trip()
    {
        var (result, value) = await _server.Head("dict", Msgpack.Map(("counts", Msgpack.Map(("a", 1), ("b", 2), ("c", 3)))));
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(2, value.AsMap().Count);
        Assert.Equal(2, value["B"].AsInt64());
        Assert.Equal(3, value["C"].AsInt64());
    }

    [Fact]
    public async Task Records_bind_from_maps_and_are_written_as_maps()
    {
        var (result, value) = await _server.Head("move", Msgpack.Map(("p", Msgpack.Map(("x", 1), ("y", 2), ("label", "p"), ("extra", 9)))));
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(2, value["X"].AsInt64());
        Assert.Equal(3, value["Y"].AsInt64());
        Assert.Equal("p!", value["Label"].AsString());
    }

    [Fact]
    public async Task Pocos_with_settable_properties_bind_and_keep_missing_members_default()
    {
        var (result, value) = await _server.Head("settings", Msgpack.Map(("s", Msgpack.Map(("retries", 3), ("tags", Msgpack.Array("a", "b"))))));
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(3, value["retries"].AsInt64());
        Assert.Equal("default", value["Name"].AsString());
        Assert.Equal(2, value["tags"].AsArray().Count);
    }

    [Fact]
    public async Task Cancellation_token_and_call_context_are_injected_not_bound()
    {
        var (result, value) = await _server.Head("injected", Msgpack.Map(("a", 7)));
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal("injected:7:True", value.AsString());
    }

    [Fact]
    public async Task Void_function_returns_nil_and_empty_map_binds_no_parameters()
    {
        var (result, value) = await _server.Head("nothing", Msgpack.Map());
        Assert.True(result.IsSuccess);
        Assert.True(value.IsNil);
        var (bad, _) = await _server.Head("nothing", Msgpack.Map(("a", 1)));
        Assert.Equal("Parse error. got an unexpected keyword argument 'a'", bad.Message);
    }

    [Fact]
    public async Task Scalar_types_bind()
    {
        var (result, value) = await _server.Head("scalars", Msgpack.Map(("big", ulong.MaxValue), ("small", -5), ("b", 200), ("f", 0.5), ("flag", true)));
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal($"{ulong.MaxValue}|-5|200|0.5|True", value.AsString());
    }

    public sealed record Point(int X, int Y, string Label);

    public sealed class Settings
    {
        [System.Text.Json.Serialization.JsonPropertyName("retries")]
        public int Retries { get; set; }

        public string Name { get; set; } = "default";

        [System.Text.Json.Serialization.JsonPropertyName("tags")]
        public IReadOnlyList<string> Tags { get; set; } = [];
    }
}
