using System.Text;
using Microsoft.Extensions.Options;

namespace OrleansRpc.Client;

/// <summary>Validates <see cref="RapClientOptions"/> when the client starts.</summary>
public sealed class RapClientOptionsValidator : IValidateOptions<RapClientOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RapClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Endpoints.Count == 0)
        {
            failures.Add("At least one endpoint (host:port) is required.");
        }

        foreach (var endpoint in options.Endpoints)
        {
            if (!RapEndpoint.TryParse(endpoint, out _))
            {
                failures.Add($"Endpoint '{endpoint}' is not host:port.");
            }
        }

        if (options.MaxConnectionsPerEndpoint < 1)
        {
            failures.Add("MaxConnectionsPerEndpoint must be at least 1.");
        }

        if (options.MaxInFlightPerConnection < 1)
        {
            failures.Add("MaxInFlightPerConnection must be at least 1.");
        }

        if (options.PingIntervalMin <= TimeSpan.Zero || options.PingIntervalMax < options.PingIntervalMin)
        {
            failures.Add("PingIntervalMin must be positive and not above PingIntervalMax.");
        }

        if (options.PingsPerRound < 1)
        {
            failures.Add("PingsPerRound must be at least 1.");
        }

        if (options.LivenessTimeout <= options.PingIntervalMax)
        {
            failures.Add("LivenessTimeout must be longer than PingIntervalMax.");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero)
        {
            failures.Add("ConnectTimeout must be positive.");
        }

        if (options.DefaultCallTimeout <= TimeSpan.Zero && options.DefaultCallTimeout != Timeout.InfiniteTimeSpan)
        {
            failures.Add("DefaultCallTimeout must be positive or infinite.");
        }

        if (options.ReconnectDelayMin <= TimeSpan.Zero || options.ReconnectDelayMax < options.ReconnectDelayMin)
        {
            failures.Add("ReconnectDelayMin must be positive and not above ReconnectDelayMax.");
        }

        if (options.Crypto is { } crypto)
        {
            if (string.IsNullOrEmpty(crypto.KeyId))
            {
                failures.Add("Crypto.KeyId is required.");
            }

            if (Encoding.UTF8.GetByteCount(crypto.Secret ?? string.Empty) != 16)
            {
                failures.Add("Crypto.Secret must be exactly 16 UTF-8 bytes.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
