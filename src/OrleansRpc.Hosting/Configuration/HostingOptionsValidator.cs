using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OrleansRpc.Gateway;

namespace OrleansRpc.Hosting;

/// <summary>Checks the hosting options at start; every message names the configuration key at fault.</summary>
internal sealed partial class HostingOptionsValidator :
    IValidateOptions<ClusterOptions>,
    IValidateOptions<HealthEndpointOptions>,
    IValidateOptions<MetricsOptions>
{
    private readonly IOptions<RapGatewayOptions> _gateway;

    public HostingOptionsValidator(IOptions<RapGatewayOptions> gateway) => _gateway = gateway;

    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Identifier(failures, OrleansRpcSections.Cluster + ":" + nameof(options.ServiceId), options.ServiceId);
        Identifier(failures, OrleansRpcSections.Cluster + ":" + nameof(options.ClusterId), options.ClusterId);
        if (options.SiloName is { Length: 0 })
        {
            failures.Add($"{OrleansRpcSections.Cluster}:{nameof(options.SiloName)} cannot be empty (leave it unset for the pod or machine name).");
        }

        return Result(failures);
    }

    public ValidateOptionsResult Validate(string? name, HealthEndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string Prefix = OrleansRpcSections.Health + ":";
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"{Prefix}{nameof(options.Port)} must be between 0 and 65535 (was {options.Port}).");
        }
        else if (options.Port != 0 && GatewayPort() == options.Port)
        {
            failures.Add($"{Prefix}{nameof(options.Port)} ({options.Port}) must differ from {OrleansRpcSections.Gateway}:{nameof(RapGatewayOptions.Port)}: the health endpoint has a listener of its own.");
        }

        if (string.IsNullOrWhiteSpace(options.Host))
        {
            failures.Add($"{Prefix}{nameof(options.Host)} cannot be empty (use * for every address).");
        }

        PathValue(failures, Prefix + nameof(options.LivePath), options.LivePath);
        PathValue(failures, Prefix + nameof(options.ReadyPath), options.ReadyPath);
        if (string.Equals(options.LivePath, options.ReadyPath, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{Prefix}{nameof(options.LivePath)} and {Prefix}{nameof(options.ReadyPath)} must differ (both are '{options.LivePath}').");
        }

        if (options.ShutdownDelay < TimeSpan.Zero)
        {
            failures.Add($"{Prefix}{nameof(options.ShutdownDelay)} cannot be negative (was {options.ShutdownDelay}).");
        }

        return Result(failures);
    }

    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string Prefix = OrleansRpcSections.Metrics + ":";
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        PathValue(failures, Prefix + nameof(options.Path), options.Path);
        for (int i = 0; i < options.Meters.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.Meters[i]))
            {
                failures.Add($"{Prefix}{nameof(options.Meters)}:{i} cannot be empty.");
            }
        }

        return Result(failures);
    }

    private int? GatewayPort()
    {
        try
        {
            return _gateway.Value.Port;
        }
        catch (OptionsValidationException)
        {
            return null; // the gateway's own failures are reported separately
        }
    }

    private static void Identifier(List<string> failures, string key, string? value)
    {
        // The ids end up in Kubernetes labels and metric labels: keep them to the label alphabet.
        if (string.IsNullOrEmpty(value) || value.Length > 63 || !IdentifierPattern().IsMatch(value))
        {
            failures.Add($"{key} must be 1 to 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit (was '{value}').");
        }
    }

    private static void PathValue(List<string> failures, string key, string? value)
    {
        if (string.IsNullOrEmpty(value) || value[0] != '/' || value.Contains('?', StringComparison.Ordinal) || value.Contains(' ', StringComparison.Ordinal))
        {
            failures.Add($"{key} must be a URL path starting with '/' (was '{value}').");
        }
    }

    private static ValidateOptionsResult Result(List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();
}
