using Microsoft.Extensions.Hosting;
using ConformanceService;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.Server;

// The conformance service of CONFORMANCE_SERVICE.md: both rap generations on one port, 3 s run timeout,
// a ping every second, pong timeout 3.3 s, optional TLS / crypto / private-as-remote. SIGTERM or SIGINT stops it.
ConformanceArguments arguments;
try
{
    arguments = ConformanceArguments.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(ConformanceArguments.Usage);
    return 2;
}

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseRapGateway(options =>
{
    options.Host = arguments.Host;
    options.Port = arguments.Port;
    options.TlsCertificatePath = arguments.TlsCertificatePath;
    options.TlsKeyPath = arguments.TlsKeyPath;
    options.PingInterval = TimeSpan.FromSeconds(1);
    options.PongTimeout = TimeSpan.FromSeconds(3.3);
    options.LegacySilenceThreshold = TimeSpan.FromSeconds(1);
    options.DrainTimeout = TimeSpan.FromSeconds(4);
    options.TreatAllPeersAsRemote = arguments.PrivateRemote;
    if (arguments.CryptoKeyId is { } keyId)
    {
        options.CryptoKeys[keyId] = arguments.CryptoSecret!;
    }
});
builder.Services.AddOrleans(silo => silo.UseRapLocalhostCluster()); // the Orleans silo, in this process
builder.Services
    .AddRapServer(options => options.RunTimeout = ConformanceServiceBuilderExtensions.RunTimeout)
    .AddConformanceFunctions();

await using WebApplication app = builder.Build();
await app.RunAsync();
return 0;
