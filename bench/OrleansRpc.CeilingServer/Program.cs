using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using OrleansRpc.CeilingServer;

// OrleansRpc.CeilingServer [--port 9100]: listens on 127.0.0.1 only.
int port = 9100;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    if (args[i] == "--port")
    {
        port = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    }
}

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseConnectionHandler<CeilingConnectionHandler>()));
WebApplication app = builder.Build();
await app.RunAsync().ConfigureAwait(false);
