using System.Globalization;
using OrleansRpc.Hosting;

namespace OrleansRpc.Host;

/// <summary>What <c>serve</c> was given.</summary>
internal sealed record ServeSettings(
    FileInfo? ConfigFile,
    IReadOnlyList<string> Functions,
    string? Host,
    int? Port,
    int? HealthPort,
    IReadOnlyList<string> Settings)
{
    /// <summary>The configuration keys the command line sets; <c>--set</c> wins over the dedicated options.</summary>
    public IReadOnlyDictionary<string, string?> Overrides()
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (Host is not null)
        {
            overrides[OrleansRpcSections.Gateway + ":Host"] = Host;
        }

        if (Port is { } port)
        {
            overrides[OrleansRpcSections.Gateway + ":Port"] = port.ToString(CultureInfo.InvariantCulture);
        }

        if (HealthPort is { } healthPort)
        {
            overrides[OrleansRpcSections.Health + ":Port"] = healthPort.ToString(CultureInfo.InvariantCulture);
        }

        foreach (string setting in Settings)
        {
            int equals = setting.IndexOf('=', StringComparison.Ordinal);
            overrides[setting[..equals].Trim()] = setting[(equals + 1)..];
        }

        return overrides;
    }
}
