using Microsoft.Extensions.Options;

namespace OrleansRpc.Gateway;

/// <summary>Checks <see cref="RapGatewayOptions"/> at start; every message names the offending key.</summary>
internal sealed class RapGatewayOptionsValidator : IValidateOptions<RapGatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, RapGatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string Prefix = RapGatewayOptions.SectionName + ":";

        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"{Prefix}{nameof(options.Port)} must be 0..65535 (was {options.Port}).");
        }

        if (options.MaxFrameBytes is < 64 or > RapGatewayOptions.DefaultMaxFrameBytes)
        {
            failures.Add($"{Prefix}{nameof(options.MaxFrameBytes)} must be 64..{RapGatewayOptions.DefaultMaxFrameBytes} (was {options.MaxFrameBytes}); the Python peer cannot decode more than 100 MiB.");
        }

        if (options.MaxFrameElements is < 16 or > int.MaxValue)
        {
            failures.Add($"{Prefix}{nameof(options.MaxFrameElements)} must be 16..{int.MaxValue} (was {options.MaxFrameElements}).");
        }

        if (options.MaxConnections < 0)
        {
            failures.Add($"{Prefix}{nameof(options.MaxConnections)} must be 0 (unlimited) or positive (was {options.MaxConnections}).");
        }

        if (options.MaxInFlightCallsPerConnection < 1)
        {
            failures.Add($"{Prefix}{nameof(options.MaxInFlightCallsPerConnection)} must be at least 1 (was {options.MaxInFlightCallsPerConnection}).");
        }

        if (options.MaxUnsentOutputBytes < 64 * 1024)
        {
            failures.Add($"{Prefix}{nameof(options.MaxUnsentOutputBytes)} must be at least 65536 (was {options.MaxUnsentOutputBytes}).");
        }

        Positive(failures, Prefix + nameof(options.OutputDrainTimeout), options.OutputDrainTimeout);
        Positive(failures, Prefix + nameof(options.PingInterval), options.PingInterval);
        Positive(failures, Prefix + nameof(options.IdleTimeout), options.IdleTimeout);
        Positive(failures, Prefix + nameof(options.LegacySilenceThreshold), options.LegacySilenceThreshold);
        if (options.PongTimeout is { } pong)
        {
            Positive(failures, Prefix + nameof(options.PongTimeout), pong);
        }

        if (options.DrainTimeout < TimeSpan.Zero)
        {
            failures.Add($"{Prefix}{nameof(options.DrainTimeout)} cannot be negative (was {options.DrainTimeout}).");
        }

        if (options.DrainGracePeriod < TimeSpan.Zero)
        {
            failures.Add($"{Prefix}{nameof(options.DrainGracePeriod)} cannot be negative (was {options.DrainGracePeriod}).");
        }

        foreach (var (id, secret) in options.CryptoKeys)
        {
            if (string.IsNullOrEmpty(id) || secret is null || System.Text.Encoding.UTF8.GetByteCount(secret) != 16)
            {
                failures.Add($"{Prefix}{nameof(options.CryptoKeys)}: key '{id}' needs a non-empty id and a secret of 16 bytes.");
            }
        }

        bool hasCert = !string.IsNullOrEmpty(options.TlsCertificatePath);
        bool hasKey = !string.IsNullOrEmpty(options.TlsKeyPath);
        if (hasCert != hasKey)
        {
            failures.Add($"{Prefix}{nameof(options.TlsCertificatePath)} and {Prefix}{nameof(options.TlsKeyPath)} must be given together.");
        }
        else if (hasCert)
        {
            bool certificateFile = FileExists(failures, Prefix + nameof(options.TlsCertificatePath), options.TlsCertificatePath!);
            bool keyFile = FileExists(failures, Prefix + nameof(options.TlsKeyPath), options.TlsKeyPath!);
            if (certificateFile && keyFile)
            {
                LoadsAsPem(failures, Prefix, options);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{key} must be positive (was {value}).");
        }
    }

    // Loads the pair now: a file that is not PEM would otherwise fail Kestrel's start naming neither the key nor the file.
    private static void LoadsAsPem(List<string> failures, string prefix, RapGatewayOptions options)
    {
        try
        {
            using var certificate = RapGatewayKestrelSetup.LoadCertificate(options.TlsCertificatePath!, options.TlsKeyPath!);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            failures.Add($"{prefix}{nameof(options.TlsCertificatePath)} '{options.TlsCertificatePath}' and {prefix}{nameof(options.TlsKeyPath)} '{options.TlsKeyPath}' are not a PEM certificate and its private key: {ex.Message}");
        }
    }

    private static bool FileExists(List<string> failures, string key, string path)
    {
        if (Directory.Exists(path))
        {
            failures.Add($"{key}: '{path}' is a directory, not a PEM file.");
            return false;
        }

        if (!File.Exists(path))
        {
            failures.Add($"{key}: file '{path}' does not exist.");
            return false;
        }

        return true;
    }
}
