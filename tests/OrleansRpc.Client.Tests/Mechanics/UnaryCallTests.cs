using OrleansRpc.Client.Tests.Infrastructure;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Tests.Mechanics;

public sealed class UnaryCallTests
{
    public sealed record Person(string Name, int Age, IReadOnlyList<string> Tags);

    [Fact]
    public async Task Calls_by_name_send_a_map_and_read_typed_results()
    {
        await using var server = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync);
        await using var client = RapClient.Create(server.Endpoint);

        Assert.Equal(3, await client.InvokeAsync<int>("default", "sum", RapArgs.Of(("a", 1), ("b", 2))));
        Assert.Equal(30L, await client.InvokeAsync<long>("default", "sum", new { a = 10, b = 20 }));
        Assert.Equal(7, await client.InvokeAsync<int>("default", "sum", new Dictionary<string, object?> { ["a"] = 3, ["b"] = 4 }));
        Assert.Equal(9, await client.InvokeAsync<int>("default", "sum", ("a", 4), ("b", 5)));
        Assert.Equal("hi", await client.InvokeAsync<string>("default", "echo", ("value", "hi")));

        var person = await client.InvokeAsync<Person>("default", "echo", ("value", new Person("ann", 41, ["x", "y"])));
        Assert.Equal("ann", person.Name);
        Assert.Equal(41, person.Age);
        Assert.Equal(["x", "y"], person.Tags);

        var list = await client.InvokeAsync<List<double>>("default", "echo", ("value", new[] { 1.5, 2.0 }));
        Assert.Equal([1.5, 2.0], list);
        var bytes = await client.InvokeAsync<byte[]>("default", "echo", ("value", new byte[] { 1, 2, 3 }));
        Assert.Equal(new byte[] { 1, 2, 3 }, bytes);
        var map = await client.InvokeAsync<Dictionary<string, int>>("default", "echo", ("value", new Dictionary<string, int> { ["k"] = 5 }));
        Assert.Equal(5, map["k"]);
        var any = await client.InvokeAsync<MessagePackValue>("default", "echo", ("value", MessagePackValue.FromArray(1, "two", 3.0)));
        Assert.Equal(MessagePackValue.FromArray(1, "two", 3.0), any);
        var dynamicValue = await client.InvokeAsync<object?>("default", "echo", ("value", new Dictionary<string, object?> { ["n"] = 1 }));
        Assert.Equal(1L, Assert.IsType<Dictionary<string, object?>>(dynamicValue)["n"]);

        // The first call is byte-identical to rap's H-7 example (after aligning the id).
        var sent = server.Connections[0].Received.First(f => f.Type == 101 && f.Target == "/default/sum");
        Assert.Equal("94650b81a6746172676574ac2f64656661756c742f73756d82a16101a16202", Convert.ToHexStringLower(Rewrite(sent, 11)));
    }

    [Fact]
    public async Task Remote_errors_become_typed_exceptions_with_status_python_name_and_message()
    {
        var functions = new FakeFunctions()
            .AddRaw("/default/div", (c, f) => c.SendAsync(Frames.Error(101, f.Id, 301, MessagePackValue.FromArray("ZeroDivisionError", "division by zero"))))
            .AddRaw("/default/slow", (c, f) => c.SendAsync(Frames.Error(101, f.Id, 301, MessagePackValue.FromArray("RpcRunTimeError", "Call slow timeout"))))
            .AddRaw("/default/bad", (c, f) => c.SendAsync(Frames.Error(101, f.Id, 1002, "Parse error. missing a required argument: 'a'")))
            .AddRaw("/default/odd", (c, f) => c.SendAsync(Frames.Error(101, f.Id, 302, 5)))
            .AddRaw("/default/busy", (c, f) => c.SendAsync(Frames.Error(101, f.Id, 429, "slow down")));
        await using var server = FakeRapServer.Start(functions.HandleAsync);
        await using var client = RapClient.Create(server.Endpoint);

        var invoke = await Assert.ThrowsAsync<RapInvokeException>(() => client.InvokeAsync<int>("default", "div").AsTask());
        Assert.Equal(301, invoke.StatusCode);
        Assert.Equal("ZeroDivisionError", invoke.PythonExceptionName);
        Assert.Equal("division by zero", invoke.RemoteMessage);

        var timeout = await Assert.ThrowsAsync<RapRunTimeException>(() => client.InvokeAsync<int>("default", "slow").AsTask());
        Assert.Equal("RpcRunTimeError", timeout.PythonExceptionName);

        var notFound = await Assert.ThrowsAsync<RapFunctionNotFoundException>(() => client.InvokeAsync<int>("default", "nope").AsTask());
        Assert.Equal(404, notFound.StatusCode);
        Assert.Equal("FuncNotFoundError", notFound.PythonExceptionName);
        Assert.Equal("Not found func. name: /default/nope", notFound.RemoteMessage);

        var parse = await Assert.ThrowsAsync<RapParseException>(() => client.InvokeAsync<int>("default", "bad").AsTask());
        Assert.Equal(1002, parse.StatusCode);
        Assert.Equal("Parse error. missing a required argument: 'a'", parse.RemoteMessage);

        await Assert.ThrowsAsync<RapTooManyRequestsException>(() => client.InvokeAsync<int>("default", "busy").AsTask());

        // A code outside rap's table is a success for rap's client (§2.6).
        Assert.Equal(5, await client.InvokeAsync<int>("default", "odd"));
    }

    [Fact]
    public async Task Deadline_and_user_headers_are_sent()
    {
        await using var server = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync);
        await using var client = RapClient.Create(server.Endpoint);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        await client.InvokeAsync<int>("default", "sum", RapArgs.Of(("a", 1), ("b", 1)), new RapCallOptions
        {
            Deadline = deadline,
            Headers = [new("X-foo", "bar")],
        });

        var frame = server.Connections[0].Received.Last(f => f.Type == 101);
        var header = frame.Value[2];
        Assert.Equal(["target", "X-rap-deadline", "X-foo"], header.AsMap().Select(e => e.Key.AsString()));
        Assert.Equal(MessagePackValueKind.Float64, header["X-rap-deadline"].Kind);
        Assert.Equal(deadline.ToUnixTimeMilliseconds() / 1000.0, header["X-rap-deadline"].AsDouble(), 3);
        Assert.Equal("bar", header["X-foo"].AsString());
    }

    [Fact]
    public async Task SendDeadlineHeader_adds_now_plus_timeout_to_every_call()
    {
        await using var server = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync);
        await using var client = RapClient.Create(server.Endpoint, o =>
        {
            o.SendDeadlineHeader = true;
            o.DefaultCallTimeout = TimeSpan.FromSeconds(60);
        });
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        await client.InvokeAsync<int>("default", "sum", ("a", 1), ("b", 1));

        // The pool may have opened more than one connection: look at the calls on all of them.
        var calls = server.Connections.SelectMany(c => c.Received).Where(f => f.Type == 101).ToList();
        var header = Assert.Single(calls).Value[2];
        Assert.InRange(header["X-rap-deadline"].AsDouble(), before + 59, before + 120);

        await using var plain = RapClient.Create(server.Endpoint);
        await plain.InvokeAsync<int>("default", "sum", ("a", 1), ("b", 1));
        calls = [.. server.Connections.SelectMany(c => c.Received).Where(f => f.Type == 101)];
        Assert.Equal(2, calls.Count);
        Assert.Equal(1, calls.Count(f => f.Value[2].TryGetValue("X-rap-deadline", out _)));
    }

    [Fact]
    public async Task Pre_encoded_arguments_are_sent_as_is()
    {
        await using var server = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync);
        await using var client = RapClient.Create(server.Endpoint);
        var encoded = MessagePackValue.FromMap(("a", 40), ("b", 2)).ToArray();
        Assert.Equal(42, await client.InvokeAsync<int>("default", "sum", RapArgs.FromEncoded(encoded)));
        Assert.Equal(encoded, server.Connections[0].Received.Last(f => f.Type == 101).Body.ToArray());
        Assert.Throws<ArgumentException>(() => RapArgs.FromEncoded(MessagePackValue.FromArray(1).ToArray()));
    }

    [Fact]
    public async Task Head_rejects_positional_arguments()
    {
        await using var server = FakeRapServer.Start(FakeFunctions.Standard().HandleAsync);
        await using var client = RapClient.Create(server.Endpoint);
        await Assert.ThrowsAsync<ArgumentException>(() => client.InvokeAsync<int>("default", "sum", RapArgs.PositionalOf(1, 2)).AsTask());
        Assert.Equal(2, await client.InvokeAsync<int>("default", "sum", ("a", 1), ("b", 1)));
    }

    private static byte[] Rewrite(ServerFrame frame, long id) => MessagePackValue.FromArray(frame.Value[0], id, frame.Value[2], frame.Value[3]).ToArray();
}
