using OrleansRpc.Client.Tests.Infrastructure;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Tests.Proxies;

public sealed class ProxyTests
{
    private static FakeRapServer StartServer()
    {
        var functions = FakeFunctions.Standard()
            .Add("/default/Notify", _ => MessagePackValue.Nil)
            .Add("/admin/WhoAmI", _ => "root");
        functions.OnOther = async (connection, frame) =>
        {
            if (frame.Type != 102)
            {
                return;
            }

            if (frame.LifeCycle == "DECLARE")
            {
                await connection.SendAsync(Frames.Channel(frame.Id, "DECLARE", MessagePackValue.Nil));
            }
            else if (frame.LifeCycle == "MSG")
            {
                var declare = connection.Received.First(f => f.Id == frame.Id && f.LifeCycle == "DECLARE");
                if (declare.Target == "/default/CountUp")
                {
                    for (var i = 0; i < frame.Body["n"].AsInt64(); i++)
                    {
                        await connection.SendAsync(Frames.Channel(frame.Id, "MSG", i));
                    }

                    await connection.SendAsync(Frames.Channel(frame.Id, "DROP", MessagePackValue.Nil));
                }
                else
                {
                    await connection.SendAsync(Frames.Channel(frame.Id, "MSG", frame.Body));
                }
            }
            else if (frame.LifeCycle == "DROP")
            {
                await connection.SendAsync(Frames.Channel(frame.Id, "DROP", MessagePackValue.Nil));
            }
        };
        return FakeRapServer.Start(functions.HandleAsync);
    }

    [Fact]
    public async Task Proxy_methods_call_the_mapped_functions_with_named_parameters()
    {
        await using var server = StartServer();
        await using var client = RapClient.Create(server.Endpoint);
        var calculator = client.CreateProxy<ICalculator>();

        Assert.Equal(5, await calculator.SumAsync(2, 3));
        Assert.Equal("hey", await calculator.EchoTextAsync("hey"));
        var echoed = await calculator.EchoArgs(7, 0.5);
        Assert.Equal(7L, echoed["user_id"]);
        Assert.Equal(0.5, echoed["ratio"]);
        await calculator.Notify("x");
        Assert.Equal("root", await client.CreateProxy<IAdmin>().WhoAmI());

        var calls = server.Connections[0].Received.Where(f => f.Type == 101).ToList();
        Assert.Equal(["/default/sum", "/default/echo", "/default/echo_args", "/default/Notify", "/admin/WhoAmI"], calls.Select(c => c.Target));
        Assert.Equal(MessagePackValue.FromMap(("a", 2), ("b", 3)), calls[0].Body);
        Assert.Equal(MessagePackValue.FromMap(("value", "hey")), calls[1].Body);
        Assert.Equal(MessagePackValue.FromMap(("user_id", 7), ("ratio", 0.5)), calls[2].Body);
        Assert.Equal(MessagePackValueKind.Float64, calls[2].Body["ratio"].Kind);
    }

    [Fact]
    public async Task Proxy_generators_and_channels_work()
    {
        await using var server = StartServer();
        await using var client = RapClient.Create(server.Endpoint);
        var calculator = client.CreateProxy<ICalculator>();

        var items = new List<int>();
        await foreach (var item in calculator.CountUp(4))
        {
            items.Add(item);
        }

        Assert.Equal([0, 1, 2, 3], items);

        await using (var channel = await calculator.OpenEcho())
        {
            await channel.WriteAsync("ping");
            Assert.Equal("ping", await channel.ReadAsync<string>());
        }

        string? seen = null;
        await calculator.RunEcho(async channel =>
        {
            await channel.WriteAsync("inside");
            seen = await channel.ReadAsync<string>();
        });
        Assert.Equal("inside", seen);
        Assert.Equal(2, server.Connections[0].Received.Count(f => f.LifeCycle == "DROP"));
    }

    [Fact]
    public async Task Proxy_cancellation_and_options_parameters_are_honoured()
    {
        var functions = new FakeFunctions().AddRaw("/default/sum", (_, _) => Task.CompletedTask).AddRaw("/default/echo_args", (_, _) => Task.CompletedTask);
        await using var server = FakeRapServer.Start(functions.HandleAsync);
        await using var client = RapClient.Create(server.Endpoint);
        var calculator = client.CreateProxy<ICalculator>();

        // Connected first: the 100 ms timeout must run out waiting for the answer, not for the handshake.
        await client.StartAsync();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => calculator.SumAsync(1, 2, cancellation.Token));
        await Assert.ThrowsAsync<RapTimeoutException>(() => calculator.EchoArgs(1, 1, RapCallOptions.WithTimeout(TimeSpan.FromMilliseconds(100))));
    }

    [Fact]
    public void Proxies_are_cached_per_interface_and_reject_unsupported_shapes()
    {
        var client = RapClient.Create("127.0.0.1:1");
        Assert.Equal(client.CreateProxy<ICalculator>().GetType(), client.CreateProxy<ICalculator>().GetType());
        Assert.Throws<NotSupportedException>(() => client.CreateProxy<IUnsupported>());
    }

    public interface IUnsupported
    {
        int NotAsync();
    }
}
