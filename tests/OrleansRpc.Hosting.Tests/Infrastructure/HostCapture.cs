using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansRpc.Gateway;

namespace OrleansRpc.Hosting.Tests;

/// <summary>
/// Catches a host built in the test's own async flow (README code, the <c>serve</c> command run in process), the
/// way WebApplicationFactory does: the hosting library announces "HostBuilding" and "HostBuilt" on the
/// "Microsoft.Extensions.Hosting" diagnostic listener. While building, the gateway is moved to a free port (the
/// README says 9000) and logging is silenced; once built, the host is handed to the test so it can find its
/// endpoints and stop it. Only hosts built in the async flow that called <see cref="Begin"/> are touched, so tests
/// running in parallel are left alone.
/// </summary>
internal sealed class HostCapture : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private static readonly AsyncLocal<HostCapture?> s_current = new();
    private readonly TaskCompletionSource<IHost> _host = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<IDisposable> _subscriptions = [];
    private readonly Lock _lock = new();

    private HostCapture()
    {
    }

    /// <summary>Completes with the host once README code has built it.</summary>
    public Task<IHost> Host => _host.Task;

    /// <summary>Starts capturing hosts built in the current async flow.</summary>
    public static HostCapture Begin()
    {
        var capture = new HostCapture();
        s_current.Value = capture;
        capture._subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(capture));
        return capture;
    }

    /// <summary>The bound gateway endpoint of a started host.</summary>
    public static string EndpointOf(IHost host)
    {
        var endPoint = host.Services.GetRequiredService<RapGatewayEndpoint>().EndPoint
            ?? throw new InvalidOperationException("The gateway did not report its endpoint.");
        return $"127.0.0.1:{endPoint.Port}";
    }

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == "Microsoft.Extensions.Hosting")
        {
            lock (_lock)
            {
                _subscriptions.Add(value.Subscribe(this));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (!ReferenceEquals(s_current.Value, this))
        {
            return;
        }

        switch (value)
        {
            case { Key: "HostBuilding", Value: HostApplicationBuilder builder }:
                builder.Services.PostConfigure<RapGatewayOptions>(o => o.Port = 0);
                builder.Logging.ClearProviders();
                break;
            case { Key: "HostBuilt", Value: IHost host }:
                _host.TrySetResult(host);
                break;
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        s_current.Value = null;
        lock (_lock)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }

            _subscriptions.Clear();
        }
    }
}
