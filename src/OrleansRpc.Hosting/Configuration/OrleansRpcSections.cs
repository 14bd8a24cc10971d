namespace OrleansRpc.Hosting;

/// <summary>
/// The configuration tree <c>AddOrleansRpc</c> binds. Every key lives below <see cref="Root"/>, so the
/// environment variable form is <c>ORLEANSRPC__&lt;SUBSECTION&gt;__&lt;KEY&gt;</c>
/// (for example <c>ORLEANSRPC__GATEWAY__PORT</c> for <c>OrleansRpc:Gateway:Port</c>).
/// </summary>
public static class OrleansRpcSections
{
    /// <summary>The root section.</summary>
    public const string Root = "OrleansRpc";

    /// <summary>Gateway listener, TLS, limits, keep-alive and drain (<c>RapGatewayOptions</c>).</summary>
    public const string Gateway = Root + ":Gateway";

    /// <summary>Function-side settings: run timeout, buffers, sessions (<c>RapServerOptions</c>).</summary>
    public const string Server = Root + ":Server";

    /// <summary>Orleans silo settings bound to Orleans' own option classes; see the three subsections below.</summary>
    public const string Grains = Root + ":Grains";

    /// <summary>Activation collection (Orleans' <c>GrainCollectionOptions</c>).</summary>
    public const string GrainsCollection = Grains + ":Collection";

    /// <summary>Grain call timeouts and queue limits (Orleans' <c>SiloMessagingOptions</c>).</summary>
    public const string GrainsMessaging = Grains + ":Messaging";

    /// <summary>Stateless worker pools (Orleans' <c>StatelessWorkerOptions</c>).</summary>
    public const string GrainsStatelessWorker = Grains + ":StatelessWorker";

    /// <summary>Service and cluster identity (<see cref="ClusterOptions"/>).</summary>
    public const string Cluster = Root + ":Cluster";

    /// <summary>Health endpoint and shutdown sequencing (<see cref="HealthEndpointOptions"/>).</summary>
    public const string Health = Root + ":Health";

    /// <summary>The Prometheus endpoint (<see cref="MetricsOptions"/>).</summary>
    public const string Metrics = Root + ":Metrics";

    /// <summary>Function assemblies to load (<see cref="FunctionAssemblyOptions"/>).</summary>
    public const string Functions = Root + ":Functions";
}
