using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol;

namespace OrleansRpc.Server.Tests.BuiltIn;

public sealed class RegistryFunctionsTests
{
    private static readonly string[] s_keys = ["group", "func_type", "is_gen_func", "is_private", "doc", "func_name", "module_name", "module_file"];

    [Fact]
    public async Task List_has_the_head_shape()
    {
        await using var services = TestServer.Conformance();
        var dispatcher = services.GetRequiredService<RapDispatcher>();
        var (result, value) = await TestServer.CallHead(dispatcher, "registry", "list", Msgpack.Map());
        Assert.True(result.IsSuccess, result.ToString());
        var items = value.AsArray();
        Assert.All(items, item => Assert.Equal(s_keys, item.AsMap().Select(e => e.Key.AsString())));
        Assert.Equal(["load", "reload", "list"], items.Take(3).Select(i => i["func_name"].AsString()));
        Assert.All(items.Take(3), i => Assert.True(i["is_private"].AsBoolean()));

        var countUp = items.Single(i => i["func_name"].AsString() == "count_up");
        Assert.Equal("CHANNEL", countUp["func_type"].AsString());
        Assert.False(countUp["is_gen_func"].AsBoolean());
        Assert.Equal("CHANNEL", items.Single(i => i["func_name"].AsString() == "echo_channel")["func_type"].AsString());
        Assert.Equal("NORMAL", items.Single(i => i["func_name"].AsString() == "sum_alias")["func_type"].AsString());
        Assert.True(items.Single(i => i["func_name"].AsString() == "secret_info")["is_private"].AsBoolean());
        Assert.Equal(2, items.Count(i => i["func_name"].AsString() == "sum_sync"));
    }

    [Fact]
    public async Task List_has_the_legacy_spelling()
    {
        await using var services = TestServer.Conformance();
        var dispatcher = services.GetRequiredService<RapDispatcher>();
        var (result, value) = await TestServer.CallLegacy(dispatcher, "registry", "list", Msgpack.Array(), Msgpack.Map());
        Assert.True(result.IsSuccess, result.ToString());
        var items = value.AsArray();
        var countUp = items.Single(i => i["func_name"].AsString() == "count_up");
        Assert.Equal("normal", countUp["func_type"].AsString());
        Assert.True(countUp["is_gen_func"].AsBoolean());
        Assert.Equal("channel", items.Single(i => i["func_name"].AsString() == "echo_channel")["func_type"].AsString());
    }

    [Fact]
    public async Task Registry_is_private_and_load_is_refused_as_RegisteredError()
    {
        await using var services = TestServer.Conformance();
        var dispatcher = services.GetRequiredService<RapDispatcher>();
        var remote = await TestServer.CallHead(dispatcher, "registry", "list", Msgpack.Map(), TestServer.Context(local: false));
        Assert.Equal("No permission to call:`list`", remote.Result.Message);

        var load = await TestServer.CallHead(dispatcher, "registry", "load", Msgpack.Map(("path", "m"), ("func_str", "f")));
        Assert.Equal(RapCallOutcome.FunctionError, load.Result.Outcome);
        Assert.Equal(301, load.Result.StatusCode(RapVersion.Head));
        Assert.Equal("RegisteredError", load.Result.ExceptionName);
        var reload = await TestServer.CallLegacy(dispatcher, "registry", "reload", Msgpack.Array("m", "f"), Msgpack.Map());
        Assert.Equal("RegisteredError", reload.Result.ExceptionName);
    }

    [Fact]
    public async Task Registry_group_can_be_left_out()
    {
        var services = new ServiceCollection();
        services.AddRapServer(o => o.AddRegistryFunctions = false).AddFunction((int a) => a, "f");
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<RapFunctionRegistry>();
        Assert.Equal(["f"], registry.Functions.Select(f => f.Name));
        _ = MessagePackValue.Nil;
    }
}
