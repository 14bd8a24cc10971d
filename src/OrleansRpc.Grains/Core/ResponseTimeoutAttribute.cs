using System.Globalization;

namespace OrleansRpc.Grains;

/// <summary>Overrides the response timeout for one interface method, e.g. <c>[ResponseTimeout("00:00:05")]</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ResponseTimeoutAttribute : Attribute
{
    public ResponseTimeoutAttribute(string timeout) => Timeout = TimeSpan.Parse(timeout, CultureInfo.InvariantCulture);

    public TimeSpan Timeout { get; }
}
