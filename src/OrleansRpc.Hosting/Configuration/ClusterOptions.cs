namespace OrleansRpc.Hosting;

/// <summary>
/// Identity of the service and of this silo, as in Orleans: <see cref="ServiceId"/> stays the same across
/// deployments of one service, <see cref="ClusterId"/> names one deployment (silos with the same cluster id
/// form one cluster). On Kubernetes both come from the pod labels <c>orleans/serviceId</c> and
/// <c>orleans/clusterId</c> through the downward API. They label logs and metrics today and are the
/// membership keys when silos span machines.
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>Default <see cref="ServiceId"/> and <see cref="ClusterId"/> (Orleans' defaults).</summary>
    public const string DefaultId = "default";

    /// <summary>The service's stable identity. Default <c>default</c>.</summary>
    public string ServiceId { get; set; } = DefaultId;

    /// <summary>This deployment's identity. Default <c>default</c>.</summary>
    public string ClusterId { get; set; } = DefaultId;

    /// <summary>
    /// This silo's name. Default: the <c>POD_NAME</c> environment variable when set (Kubernetes downward API),
    /// otherwise the machine name.
    /// </summary>
    public string? SiloName { get; set; }

    /// <summary>
    /// The silo's port for silo-to-silo traffic (Orleans' <c>EndpointOptions.SiloPort</c>). Default 0: a free loopback
    /// port picked at start, which is all a single process needs (the rap gateway calls its own silo in process).
    /// </summary>
    public int SiloPort { get; set; }

    /// <summary>
    /// The silo's Orleans client gateway port (<c>EndpointOptions.GatewayPort</c>), for Orleans clients such as a
    /// separate rap gateway. Default 0: none.
    /// </summary>
    public int GatewayPort { get; set; }
}
