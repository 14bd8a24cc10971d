using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;
using OrleansRpc.Client;
using OrleansRpc.Server;
using Quickstart;

namespace OrleansRpc.TestingHost.Tests;

/// <summary>
/// Orleans streams handed to rap clients as generators (the Quickstart's <c>news</c> group): rap clients on both
/// silos' gateways follow one topic that a function publishes to; a subscriber that falls too far behind is dropped
/// with an error instead of being buffered.
/// </summary>
public sealed class OrleansStreamTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartAsync(b =>
    {
        b.Silos = 2;
        b.ConfigureSilo(s => s.AddMemoryGrainStorage("PubSubStore").AddMemoryStreams(RapSiloBuilderExtensions.StreamProviderName));
        b.AddFunctions(f => f.AddQuickstartFunctions());
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Rap_clients_on_both_gateways_follow_one_topic_in_publish_order()
    {
        await using RapClient first = await ConnectAsync(0);
        await using RapClient second = await ConnectAsync(1);
        await using RapClient publisher = await ConnectAsync(0);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var heardA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var heardB = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<List<string>> a = Task.Run(() => CollectUntilEndAsync(first, heardA, stop.Token));
        Task<List<string>> b = Task.Run(() => CollectUntilEndAsync(second, heardB, stop.Token));

        // Subscriptions are taken when the generators start: announce until both subscribers heard something.
        while (!(heardA.Task.IsCompleted && heardB.Task.IsCompleted))
        {
            stop.Token.ThrowIfCancellationRequested();
            await publisher.InvokeAsync<object?>("news", "publish", ("topic", "t"), ("text", "hello"));
            await Task.Delay(50, stop.Token);
        }

        for (int i = 0; i < 100; i++)
        {
            await publisher.InvokeAsync<object?>("news", "publish", ("topic", "t"), ("text", "m" + i));
        }

        await publisher.InvokeAsync<object?>("news", "publish", ("topic", "t"), ("text", "end"));
        var expected = Enumerable.Range(0, 100).Select(i => "m" + i).ToList();
        foreach (List<string> received in await Task.WhenAll(a, b))
        {
            Assert.Equal(expected, received.Where(m => m != "hello").ToList());
        }
    }

    [Fact]
    public async Task A_subscriber_that_falls_behind_its_buffer_is_dropped_with_an_error()
    {
        var cluster = _cluster.Silos[0].SiloHost.Services.GetRequiredService<IClusterClient>();
        var stream = cluster.GetStreamProvider(RapSiloBuilderExtensions.StreamProviderName).GetStream<int>(StreamId.Create("test", "slow"));
        await using IAsyncEnumerator<int> reader = stream.ReadForRapAsync(capacity: 4).GetAsyncEnumerator();
        ValueTask<bool> first = reader.MoveNextAsync(); // subscribes, then waits for an item
        for (int i = 0; !first.IsCompleted; i++)
        {
            await stream.OnNextAsync(i);
            await Task.Delay(20);
        }

        Assert.True(await first);
        for (int i = 0; i < 200; i++)
        {
            await stream.OnNextAsync(1000 + i);
        }

        // The reader does not read while 200 items are published: at most its 4 buffered items, then the error.
        await Task.Delay(TimeSpan.FromSeconds(1));
        int read = 0;
        var error = await Assert.ThrowsAsync<RapStreamOverflowException>(async () =>
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await reader.MoveNextAsync().AsTask().WaitAsync(deadline.Token))
            {
                read++;
            }
        });
        Assert.Contains("4 items", error.Message, StringComparison.Ordinal);
        Assert.True(read < 200, $"read {read} items");
    }

    /// <summary>Follows topic "t" until "end"; <paramref name="heard"/> completes at the first message.</summary>
    private static async Task<List<string>> CollectUntilEndAsync(RapClient client, TaskCompletionSource heard, CancellationToken cancellationToken)
    {
        var received = new List<string>();
        await foreach (string message in client.StreamAsync<string>("news", "subscribe", RapArgs.Of(("topic", "t")), cancellationToken: cancellationToken))
        {
            heard.TrySetResult();
            if (message == "end")
            {
                break;
            }

            received.Add(message);
        }

        return received;
    }

    private async Task<RapClient> ConnectAsync(int silo)
    {
        var endPoint = _cluster.EndPoints[silo];
        RapClient client = RapClient.Create($"{endPoint.Address}:{endPoint.Port}");
        await client.StartAsync();
        return client;
    }
}
