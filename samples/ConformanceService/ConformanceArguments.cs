using System.Globalization;

namespace ConformanceService;

/// <summary>
/// The conformance service's command line: <c>HOST PORT [--tls-cert CRT --tls-key KEY]
/// [--crypto-key-id ID --crypto-secret S] [--private-remote]</c>. An option given with an empty value counts
/// as not given (a test driver fills one template for every mode).
/// </summary>
public sealed record ConformanceArguments(string Host, int Port)
{
    public const string Usage =
        "usage: ConformanceService HOST PORT [--tls-cert CRT --tls-key KEY] [--crypto-key-id ID --crypto-secret S] [--private-remote]";

    public string? TlsCertificatePath { get; init; }

    public string? TlsKeyPath { get; init; }

    public string? CryptoKeyId { get; init; }

    public string? CryptoSecret { get; init; }

    public bool PrivateRemote { get; init; }

    /// <exception cref="ArgumentException">The arguments do not fit the usage.</exception>
    public static ConformanceArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var positional = new List<string>();
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        bool privateRemote = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "--private-remote":
                    privateRemote = true;
                    break;
                case "--tls-cert" or "--tls-key" or "--crypto-key-id" or "--crypto-secret":
                    if (i + 1 >= args.Count)
                    {
                        throw new ArgumentException($"{arg} needs a value.");
                    }

                    values[arg] = NullIfEmpty(args[++i]);
                    break;
                default:
                    if (arg.StartsWith("--", StringComparison.Ordinal))
                    {
                        throw new ArgumentException($"unknown option {arg}.");
                    }

                    positional.Add(arg);
                    break;
            }
        }

        if (positional.Count != 2)
        {
            throw new ArgumentException("HOST and PORT are required.");
        }

        if (!int.TryParse(positional[1], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw new ArgumentException($"PORT must be 0..65535, not '{positional[1]}'.");
        }

        var result = new ConformanceArguments(positional[0], port)
        {
            TlsCertificatePath = values.GetValueOrDefault("--tls-cert"),
            TlsKeyPath = values.GetValueOrDefault("--tls-key"),
            CryptoKeyId = values.GetValueOrDefault("--crypto-key-id"),
            CryptoSecret = values.GetValueOrDefault("--crypto-secret"),
            PrivateRemote = privateRemote,
        };

        if ((result.TlsCertificatePath is null) != (result.TlsKeyPath is null))
        {
            throw new ArgumentException("--tls-cert and --tls-key go together.");
        }

        if ((result.CryptoKeyId is null) != (result.CryptoSecret is null))
        {
            throw new ArgumentException("--crypto-key-id and --crypto-secret go together.");
        }

        return result;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
