using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using OrleansRpc.Client;

namespace OrleansRpc.Host;

/// <summary>
/// The options every client subcommand (<c>call</c>, <c>list</c>, <c>ping</c>) shares: the server argument, the
/// timeout, TLS and rap's crypto plug-in; and the client they describe.
/// </summary>
internal sealed class ClientConnectionOptions
{
    /// <summary>Default for <c>--timeout</c>, in seconds.</summary>
    public const double DefaultTimeoutSeconds = 10;

    public Argument<string> Server { get; } = new("host:port")
    {
        Description = "The server's rap gateway, e.g. 127.0.0.1:9000 or [::1]:9000.",
    };

    public Option<double> Timeout { get; } = new("--timeout", "-t")
    {
        Description = "Seconds allowed to connect (TCP, TLS, DECLARE) and for the whole command.",
        HelpName = "SECONDS",
        DefaultValueFactory = static _ => DefaultTimeoutSeconds,
    };

    public Option<bool> Tls { get; } = new("--tls")
    {
        Description = "Connect with TLS (the server's certificate is checked against the system store unless --tls-ca is given).",
    };

    public Option<FileInfo?> TlsCa { get; } = new("--tls-ca")
    {
        Description = "PEM certificate to trust (exactly this one) instead of the system store. Implies --tls.",
        HelpName = "FILE",
    };

    public Option<bool> NoHostnameCheck { get; } = new("--no-hostname-check")
    {
        Description = "Do not check that the certificate names the host (as rap's Python client does not). Implies --tls.",
    };

    public Option<string?> CryptoKeyId { get; } = new("--crypto-key-id")
    {
        Description = "Key id of rap's AES crypto plug-in (with --crypto-secret).",
        HelpName = "ID",
    };

    public Option<string?> CryptoSecret { get; } = new("--crypto-secret")
    {
        Description = "16-character secret of rap's AES crypto plug-in (with --crypto-key-id).",
        HelpName = "SECRET",
    };

    /// <summary>Adds the argument and the options to <paramref name="command"/>, with their validators.</summary>
    public void AddTo(Command command)
    {
        Server.Validators.Add(static result =>
        {
            string text = result.GetValueOrDefault<string>() ?? string.Empty;
            if (!RapEndpoint.TryParse(text, out _))
            {
                result.AddError($"'{text}' is not host:port (e.g. 127.0.0.1:9000, [::1]:9000).");
            }
        });
        Timeout.Validators.Add(static result =>
        {
            double seconds = result.GetValueOrDefault<double>();
            if (!(seconds > 0) || double.IsInfinity(seconds) || seconds > int.MaxValue / 1000.0)
            {
                result.AddError($"--timeout must be a positive number of seconds (got {seconds.ToString(CultureInfo.InvariantCulture)}).");
            }
        });
        TlsCa.Validators.Add(static result =>
        {
            if (result.GetValueOrDefault<FileInfo?>() is { Exists: false } file)
            {
                result.AddError($"--tls-ca: file '{file.FullName}' does not exist.");
            }
        });

        command.Arguments.Add(Server);
        command.Options.Add(Timeout);
        command.Options.Add(Tls);
        command.Options.Add(TlsCa);
        command.Options.Add(NoHostnameCheck);
        command.Options.Add(CryptoKeyId);
        command.Options.Add(CryptoSecret);
        command.Validators.Add(result =>
        {
            bool hasId = !string.IsNullOrEmpty(result.GetValue(CryptoKeyId));
            bool hasSecret = !string.IsNullOrEmpty(result.GetValue(CryptoSecret));
            if (hasId != hasSecret)
            {
                result.AddError("--crypto-key-id and --crypto-secret go together.");
            }
            else if (hasSecret && System.Text.Encoding.UTF8.GetByteCount(result.GetValue(CryptoSecret)!) != 16)
            {
                result.AddError("--crypto-secret must be 16 bytes in UTF-8, e.g. 16 ASCII characters (rap's AES-128 key).");
            }
        });
    }

    /// <summary>The command's timeout.</summary>
    public TimeSpan GetTimeout(ParseResult parseResult) => TimeSpan.FromSeconds(parseResult.GetValue(Timeout));

    /// <summary>
    /// A client for the server argument, configured from the options. One endpoint, one connection, and calls
    /// bounded by <c>--timeout</c> (the command also cancels after it).
    /// </summary>
    public RapClient CreateClient(ParseResult parseResult)
    {
        string server = parseResult.GetValue(Server)!;
        TimeSpan timeout = GetTimeout(parseResult);
        FileInfo? ca = parseResult.GetValue(TlsCa);
        bool noHostnameCheck = parseResult.GetValue(NoHostnameCheck);
        bool tls = parseResult.GetValue(Tls) || ca is not null || noHostnameCheck;
        string? keyId = parseResult.GetValue(CryptoKeyId);
        string? secret = parseResult.GetValue(CryptoSecret);

        return RapClient.Create(server, o =>
        {
            o.MaxConnectionsPerEndpoint = 1;
            o.ConnectTimeout = timeout;
            o.DefaultCallTimeout = timeout;
            if (tls)
            {
                o.Tls.Enabled = true;
                o.Tls.CheckHostName = !noHostnameCheck;
                if (ca is not null)
                {
                    // The file holds a certificate only (no key): CreateFromPem reads just the first CERTIFICATE block.
                    o.Tls.TrustedCertificate = X509Certificate2.CreateFromPem(File.ReadAllText(ca.FullName));
                }
            }

            if (!string.IsNullOrEmpty(keyId) && !string.IsNullOrEmpty(secret))
            {
                o.Crypto = new RapClientCryptoOptions { KeyId = keyId, Secret = secret };
            }
        });
    }
}
