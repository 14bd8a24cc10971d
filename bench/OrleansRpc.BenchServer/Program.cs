using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OrleansRpc.BenchServer;
using OrleansRpc.Hosting;

// OrleansRpc.BenchServer [--port 9000] [--set Key=Value ...]: the production wiring (UseOrleansRpc) on 127.0.0.1,
// health endpoint off (its port would collide between runs), logging at Warning.
var settings = new Dictionary<string, string?>
{
    ["OrleansRpc:Gateway:Host"] = "127.0.0.1",
    ["OrleansRpc:Gateway:Port"] = "9000",
    ["OrleansRpc:Health:Enabled"] = "false",
    ["Logging:LogLevel:Default"] = "Warning",
};
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--port":
            settings["OrleansRpc:Gateway:Port"] = args[i + 1];
            break;
        case "--set" when args[i + 1].IndexOf('=', StringComparison.Ordinal) > 0:
            string[] pair = args[i + 1].Split('=', 2);
            settings[pair[0]] = pair[1];
            break;
        default:
            await Console.Error.WriteLineAsync($"unknown option {args[i]}").ConfigureAwait(false);
            return 2;
    }
}

AllocationListener.StartIfEnabled();
WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
builder.Configuration.AddInMemoryCollection(settings);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.UseOrleansRpc(rpc =>
{
    rpc.AddFunctionGroup(typeof(BenchFunctions));
    if (Environment.GetEnvironmentVariable("ORLEANSRPC_BENCH_DIAGNOSTICS") == "1")
    {
        rpc.AddFunctionGroup(typeof(DiagnosticFunctions));
    }
});

WebApplication app = builder.Build();
await app.RunAsync().ConfigureAwait(false);
return 0;
