using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;
using OrleansRpc.Gateway.Connections;

namespace OrleansRpc.Gateway;

/// <summary>Adds the rap listener (raw TCP, optionally TLS, no HTTP) to Kestrel.</summary>
internal sealed class RapGatewayKestrelSetup : IConfigureOptions<KestrelServerOptions>
{
    private readonly IOptions<RapGatewayOptions> _options;
    private readonly RapGatewayEndpoint _endpoint;
    private readonly IRapConnectionMiddleware[] _middlewares;

    public RapGatewayKestrelSetup(IOptions<RapGatewayOptions> options, RapGatewayEndpoint endpoint, IEnumerable<IRapConnectionMiddleware> middlewares)
    {
        _options = options;
        _endpoint = endpoint;
        _middlewares = [.. middlewares];
    }

    public void Configure(KestrelServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RapGatewayOptions gateway = _options.Value;
        Action<ListenOptions> configure = listen =>
        {
            listen.Protocols = HttpProtocols.Http1; // not used: a connection handler owns the bytes
            UseMiddlewares(listen, beforeTls: true);
            if (gateway.IsTlsEnabled)
            {
                X509Certificate2 certificate = LoadCertificate(gateway.TlsCertificatePath!, gateway.TlsKeyPath!);
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    ClientCertificateMode = ClientCertificateMode.NoCertificate,
                });
            }

            UseMiddlewares(listen, beforeTls: false);
            listen.UseConnectionHandler<RapConnectionHandler>();
            _endpoint.Set(listen, gateway.IsTlsEnabled);
        };

        string host = gateway.Host.Trim();
        if (host is "" or "*" or "0.0.0.0" or "+")
        {
            options.ListenAnyIP(gateway.Port, configure);
        }
        else if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) && gateway.Port != 0)
        {
            options.ListenLocalhost(gateway.Port, configure);
        }
        else
        {
            options.Listen(ResolveAddress(host), gateway.Port, configure);
        }
    }

    private void UseMiddlewares(ListenOptions listen, bool beforeTls)
    {
        foreach (IRapConnectionMiddleware middleware in _middlewares)
        {
            if (middleware.RunsBeforeTls == beforeTls)
            {
                listen.Use(next => connection => middleware.OnConnectionAsync(connection, next));
            }
        }
    }

    /// <summary>Loads a PEM certificate and key as rap's <c>ssl_crt_path</c>/<c>ssl_key_path</c>.</summary>
    internal static X509Certificate2 LoadCertificate(string certificatePath, string keyPath)
    {
        X509Certificate2 pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return pem;
        }

        // SChannel cannot use the ephemeral key of a PEM-loaded certificate: round-trip through PKCS#12.
        using (pem)
        {
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
        }
    }

    private static IPAddress ResolveAddress(string host)
    {
        if (IPAddress.TryParse(host, out IPAddress? address))
        {
            return address;
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        IPAddress[] addresses = Dns.GetHostAddresses(host);
        return addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException($"{RapGatewayOptions.SectionName}:{nameof(RapGatewayOptions.Host)} '{host}' does not resolve to an address.");
    }
}
