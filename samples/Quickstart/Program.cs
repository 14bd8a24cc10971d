using Microsoft.Extensions.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OrleansRpc.Server;
using Quickstart;

// The quick start: the README's functions served to rap clients (HEAD and 0.5.3.8) on HOST PORT
// (default 127.0.0.1 9000). Stop with Ctrl+C or SIGTERM.
string host = args.Length > 0 && args[0].Length > 0 ? args[0] : "127.0.0.1";
int port = 9000;
if (args.Length > 1 && !int.TryParse(args[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port))
{
    Console.Error.WriteLine($"usage: Quickstart [HOST [PORT]] (PORT was '{args[1]}')");
    return 2;
}

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseRapGateway(options =>
{
    options.Host = host;
    options.Port = port;
});
builder.Services.AddOrleans(silo => silo.UseRapLocalhostCluster()); // the Orleans silo, in this process
builder.Services.AddRapServer().AddQuickstartFunctions();

await using WebApplication app = builder.Build();
await app.RunAsync();
return 0;
