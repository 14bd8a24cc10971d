using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.Gateway;
using OrleansRpc.Server;
using OrleansRpc.TestingHost;

namespace OrleansRpc.Middleware.Tests.Infrastructure;

/// <summary>A gateway on 127.0.0.1:0 (or as <c>gateway</c> sets it) with the test functions served through function-group grains.</summary>
internal static class MiddlewareCluster
{
    public static Task<TestCluster> StartAsync(Action<IServiceCollection> configure, TimeProvider? time = null, Action<RapGatewayOptions>? gateway = null) =>
        TestCluster.StartAsync(builder => builder.ConfigureGateway(gateway ?? (static _ => { })).ConfigureServices(services =>
        {
            if (time is not null)
            {
                services.AddSingleton(time);
            }

            services.AddRapServer()
                .AddFunction(TestFunctions.Sum, "sum")
                .AddFunction(TestFunctions.Sum, "sum_sync")
                .AddFunction(TestFunctions.SumAsync, "sum_async")
                .AddFunction(TestFunctions.Divide, "divide")
                .AddFunction(TestFunctions.Count, "count")
                .AddFunction(TestFunctions.Echo, "echo_channel");
            configure(services);
        }));
}
