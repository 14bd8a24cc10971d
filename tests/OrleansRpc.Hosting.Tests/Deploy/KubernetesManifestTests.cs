using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansRpc.Host;

namespace OrleansRpc.Hosting.Tests.Deploy;

/// <summary>
/// Parses every manifest under deploy/k8s and checks that the pieces agree with each other and with the
/// code: ports with the configuration, the grace period with the drain, probes with the paths the health
/// endpoint serves, selectors with labels, kustomizations with the files they list.
/// </summary>
public sealed class KubernetesManifestTests
{
    private const string ContainerName = "silo";

    /// <summary>Margin the host adds on top of ShutdownDelay + DrainTimeout (see AddOrleansRpc).</summary>
    private static readonly TimeSpan s_shutdownMargin = TimeSpan.FromSeconds(5);

    public static TheoryData<string> Kustomizations => new() { "base", "overlays/dev", "overlays/production" };

    [Fact]
    public void Every_yaml_file_parses_and_every_resource_has_api_version_kind_and_name()
    {
        string[] files = Directory.GetFiles(RepositoryPaths.Kubernetes, "*.yaml", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (string file in files)
        {
            List<Dictionary<object, object?>> documents = Yaml.LoadAll(file);
            Assert.NotEmpty(documents);
            foreach (Dictionary<object, object?> document in documents)
            {
                Assert.False(string.IsNullOrEmpty(Yaml.Str(document, "apiVersion")), $"{file}: apiVersion missing");
                Assert.False(string.IsNullOrEmpty(Yaml.Kind(document)), $"{file}: kind missing");
                if (Yaml.Kind(document) != "Kustomization")
                {
                    Assert.False(string.IsNullOrEmpty(Yaml.Name(document)), $"{file}: metadata.name missing");
                }
            }
        }
    }

    [Fact]
    public void Every_file_is_listed_by_a_kustomization_and_every_listed_file_exists()
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        string[] kustomizations = Directory.GetFiles(RepositoryPaths.Kubernetes, "kustomization.yaml", SearchOption.AllDirectories);
        Assert.Equal(3, kustomizations.Length);
        foreach (string file in kustomizations)
        {
            string directory = Path.GetDirectoryName(file)!;
            Dictionary<object, object?> kustomization = Yaml.LoadAll(file).Single();
            IEnumerable<string> entries = Yaml.List(kustomization.GetValueOrDefault("resources")).Cast<string>()
                .Concat(Yaml.Maps(kustomization.GetValueOrDefault("patches")).Select(p => Yaml.Str(p, "path")!))
                .Concat(Yaml.Maps(kustomization.GetValueOrDefault("configMapGenerator")).SelectMany(g => Yaml.List(g.GetValueOrDefault("files")).Cast<string>()));
            foreach (string entry in entries)
            {
                string path = Path.GetFullPath(Path.Combine(directory, entry));
                bool exists = File.Exists(path) || File.Exists(Path.Combine(path, "kustomization.yaml"));
                Assert.True(exists, $"{file} lists '{entry}', which does not exist");
                listed.Add(path);
            }
        }

        foreach (string file in Directory.GetFiles(RepositoryPaths.Kubernetes, "*.*", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(file) != "kustomization.yaml")
            {
                Assert.True(listed.Contains(Path.GetFullPath(file)), $"{file} is not listed by any kustomization");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Container_ports_match_the_configured_gateway_and_health_ports(string kustomization)
    {
        Deployed deployed = Deployed.Render(kustomization);

        Assert.Equal(deployed.Configuration.Gateway.Port, deployed.ContainerPort("gateway"));
        Assert.Equal(deployed.Configuration.Health.Port, deployed.ContainerPort("health"));
        Assert.Equal(2, Yaml.Maps(deployed.Container["ports"]).Count());
        Assert.True(deployed.Configuration.Health.Enabled);
        Assert.Contains(deployed.Configuration.Gateway.Host, new[] { "0.0.0.0", "*" });
        Assert.Contains(deployed.Configuration.Health.Host, new[] { "0.0.0.0", "*" });
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void The_grace_period_outlasts_the_readiness_delay_and_the_drain(string kustomization)
    {
        Deployed deployed = Deployed.Render(kustomization);
        int grace = Yaml.Int(deployed.PodSpec, "terminationGracePeriodSeconds") ?? 30;
        TimeSpan needed = deployed.Configuration.Health.ShutdownDelay + deployed.Configuration.Gateway.DrainTimeout + s_shutdownMargin;

        Assert.True(
            TimeSpan.FromSeconds(grace) >= needed,
            $"{kustomization}: terminationGracePeriodSeconds {grace} < ShutdownDelay {deployed.Configuration.Health.ShutdownDelay} + DrainTimeout {deployed.Configuration.Gateway.DrainTimeout} + {s_shutdownMargin}");
        Assert.True(deployed.Configuration.Gateway.DrainTimeout > TimeSpan.Zero);
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Probes_point_at_the_health_port_and_its_paths(string kustomization)
    {
        Deployed deployed = Deployed.Render(kustomization);
        HealthEndpointOptions health = deployed.Configuration.Health;

        Assert.Equal(health.ReadyPath, Yaml.Str(deployed.Container, "readinessProbe.httpGet.path"));
        Assert.Equal(health.LivePath, Yaml.Str(deployed.Container, "livenessProbe.httpGet.path"));
        Assert.Contains(Yaml.Str(deployed.Container, "startupProbe.httpGet.path"), new[] { health.LivePath, health.ReadyPath });
        foreach (string probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
        {
            Assert.Equal(health.Port, deployed.ResolvePort(Yaml.Str(deployed.Container, probe + ".httpGet.port")));
        }

        // Prometheus scrape annotations agree with the metrics endpoint.
        Dictionary<string, string> annotations = Yaml.Strings(Yaml.At(deployed.Deployment, "spec.template.metadata.annotations"));
        Assert.Equal("true", annotations["prometheus.io/scrape"]);
        Assert.Equal(health.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), annotations["prometheus.io/port"]);
        Assert.Equal(deployed.Configuration.Metrics.Path, annotations["prometheus.io/path"]);
        Assert.True(deployed.Configuration.Metrics.Enabled);
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task The_probe_paths_are_really_served_by_the_health_endpoint(string kustomization)
    {
        Deployed deployed = Deployed.Render(kustomization);
        HealthEndpointOptions configured = deployed.Configuration.Health;
        MetricsOptions metrics = deployed.Configuration.Metrics;
        await using WebApplication app = HealthApp.Build(configure: builder =>
        {
            builder.Services.Configure<HealthEndpointOptions>(o =>
            {
                o.LivePath = configured.LivePath;
                o.ReadyPath = configured.ReadyPath;
            });
            builder.Services.Configure<MetricsOptions>(o => o.Path = metrics.Path);
        });
        await app.StartAsync();
        using HttpClient client = HealthApp.Client(app.Services);

        foreach (string probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
        {
            string path = Yaml.Str(deployed.Container, probe + ".httpGet.path")!;
            Assert.Equal(HttpStatusCode.OK, (await client.GetTextAsync(path)).Status);
        }

        Dictionary<string, string> annotations = Yaml.Strings(Yaml.At(deployed.Deployment, "spec.template.metadata.annotations"));
        (HttpStatusCode status, string body) = await client.GetTextAsync(annotations["prometheus.io/path"]);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("# TYPE orleansrpc_host_ready gauge", body, StringComparison.Ordinal);
        await app.StopAsync();
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Labels_and_selectors_agree(string kustomization)
    {
        Deployed deployed = Deployed.Render(kustomization);
        Dictionary<string, string> podLabels = Yaml.Strings(Yaml.At(deployed.Deployment, "spec.template.metadata.labels"));

        AssertSelects(podLabels, Yaml.At(deployed.Deployment, "spec.selector.matchLabels"), "Deployment selector");
        foreach (Dictionary<object, object?> spread in Yaml.Maps(Yaml.At(deployed.PodSpec, "topologySpreadConstraints")))
        {
            AssertSelects(podLabels, Yaml.At(spread, "labelSelector.matchLabels"), "topologySpreadConstraint");
        }

        Dictionary<object, object?> service = deployed.Rendered.Single("Service");
        AssertSelects(podLabels, Yaml.At(service, "spec.selector"), "Service selector");
        AssertSelects(podLabels, Yaml.At(deployed.Rendered.Single("PodDisruptionBudget"), "spec.selector.matchLabels"), "PodDisruptionBudget selector");
        AssertSelects(podLabels, Yaml.At(deployed.Rendered.Single("NetworkPolicy"), "spec.podSelector.matchLabels"), "NetworkPolicy podSelector");

        // Orleans' labels, valid as cluster ids, and fed back to the silo through the downward API.
        Assert.True(podLabels.ContainsKey("orleans/serviceId"), "pod label orleans/serviceId missing");
        Assert.True(podLabels.ContainsKey("orleans/clusterId"), "pod label orleans/clusterId missing");
        Assert.Equal(podLabels["orleans/serviceId"], deployed.Configuration.Cluster.ServiceId);
        Assert.Equal(podLabels["orleans/clusterId"], deployed.Configuration.Cluster.ClusterId);
        var validator = new HostingOptionsValidator(Options.Create(deployed.Configuration.Gateway));
        ValidateOptionsResult cluster = validator.Validate(null, deployed.Configuration.Cluster);
        Assert.True(cluster.Succeeded, cluster.FailureMessage);
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void The_service_network_policy_autoscaler_and_budget_target_the_deployment(string kustomization)
    {
        Deployed deployed = Deployed.Render(kustomization);

        Dictionary<object, object?> servicePort = Assert.Single(Yaml.Maps(Yaml.At(deployed.Rendered.Single("Service"), "spec.ports")));
        Assert.Equal(deployed.Configuration.Gateway.Port, deployed.ResolvePort(Yaml.Str(servicePort, "targetPort")));
        Assert.Equal("TCP", Yaml.Str(servicePort, "protocol"));

        Dictionary<object, object?> hpa = deployed.Rendered.Single("HorizontalPodAutoscaler");
        Assert.Equal("Deployment", Yaml.Str(hpa, "spec.scaleTargetRef.kind"));
        Assert.Equal(Yaml.Name(deployed.Deployment), Yaml.Str(hpa, "spec.scaleTargetRef.name"));
        int min = Yaml.Int(hpa, "spec.minReplicas") ?? 1;
        int max = Yaml.Int(hpa, "spec.maxReplicas")!.Value;
        Assert.InRange(min, 1, max);
        Assert.InRange(Yaml.Int(deployed.Deployment, "spec.replicas") ?? 1, min, max);

        // NetworkPolicy: the gateway port open to any client; the health port only from selected peers.
        var ingress = Yaml.Maps(Yaml.At(deployed.Rendered.Single("NetworkPolicy"), "spec.ingress")).ToList();
        Dictionary<object, object?> gatewayRule = ingress.Single(rule => Yaml.Maps(rule.GetValueOrDefault("ports")).Any(p => deployed.ResolvePort(Yaml.Str(p, "port")) == deployed.Configuration.Gateway.Port));
        Assert.False(gatewayRule.ContainsKey("from"), "the gateway port must be open to clients");
        Dictionary<object, object?> healthRule = ingress.Single(rule => Yaml.Maps(rule.GetValueOrDefault("ports")).Any(p => deployed.ResolvePort(Yaml.Str(p, "port")) == deployed.Configuration.Health.Port));
        Assert.NotEmpty(Yaml.List(healthRule.GetValueOrDefault("from")));
        Assert.All(ingress.SelectMany(rule => Yaml.Maps(rule.GetValueOrDefault("ports"))), p => deployed.ResolvePort(Yaml.Str(p, "port")));

        Dictionary<object, object?> budget = deployed.Rendered.Single("PodDisruptionBudget");
        Assert.True(budget.TryGetValue("spec", out _) && (Yaml.Str(budget, "spec.maxUnavailable") is not null || Yaml.Str(budget, "spec.minAvailable") is not null));
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Pods_run_non_root_on_a_read_only_root_with_no_capabilities_and_bounded_resources(string kustomization)
    {
        Deployed deployed = Deployed.Render(kustomization);
        Dictionary<object, object?> container = deployed.Container;

        Assert.True(Yaml.Bool(deployed.PodSpec, "securityContext.runAsNonRoot"));
        Assert.NotEqual(0, Yaml.Int(deployed.PodSpec, "securityContext.runAsUser"));
        Assert.True(Yaml.Bool(container, "securityContext.runAsNonRoot"));
        Assert.True(Yaml.Bool(container, "securityContext.readOnlyRootFilesystem"));
        Assert.False(Yaml.Bool(container, "securityContext.allowPrivilegeEscalation"));
        Assert.Contains("ALL", Yaml.List(Yaml.At(container, "securityContext.capabilities.drop")).Cast<string>());
        Assert.False(Yaml.Bool(deployed.PodSpec, "automountServiceAccountToken") ?? true);

        foreach (string path in new[] { "resources.requests.cpu", "resources.requests.memory", "resources.limits.cpu", "resources.limits.memory" })
        {
            Assert.False(string.IsNullOrEmpty(Yaml.Str(container, path)), $"{kustomization}: {path} missing");
        }

        // The only writable place is /tmp, an emptyDir.
        Dictionary<object, object?> tmp = Yaml.Maps(container["volumeMounts"]).Single(m => Yaml.Str(m, "mountPath") == "/tmp");
        Dictionary<object, object?> tmpVolume = Yaml.Maps(deployed.PodSpec["volumes"]).Single(v => Yaml.Str(v, "name") == Yaml.Str(tmp, "name"));
        Assert.True(tmpVolume.ContainsKey("emptyDir"));
        Assert.All(Yaml.Maps(container["volumeMounts"]).Where(m => Yaml.Str(m, "mountPath") != "/tmp"), m => Assert.True(Yaml.Bool(m, "readOnly")));
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void The_downward_API_provides_pod_name_namespace_ip_and_the_orleans_labels(string kustomization)
    {
        Deployed deployed = Deployed.Render(kustomization);
        Dictionary<string, string?> fieldRefs = Yaml.Maps(deployed.Container["env"])
            .Where(e => Yaml.At(e, "valueFrom.fieldRef.fieldPath") is not null)
            .ToDictionary(e => Yaml.Str(e, "name")!, e => Yaml.Str(e, "valueFrom.fieldRef.fieldPath"), StringComparer.Ordinal);

        Assert.Equal("metadata.name", fieldRefs["POD_NAME"]);
        Assert.Equal("metadata.namespace", fieldRefs["POD_NAMESPACE"]);
        Assert.Equal("status.podIP", fieldRefs["POD_IP"]);
        Assert.Equal("metadata.labels['orleans/serviceId']", fieldRefs["ORLEANSRPC__CLUSTER__SERVICEID"]);
        Assert.Equal("metadata.labels['orleans/clusterId']", fieldRefs["ORLEANSRPC__CLUSTER__CLUSTERID"]);
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void The_container_runs_serve_with_the_mounted_config_map(string kustomization)
    {
        Deployed deployed = Deployed.Render(kustomization);
        string[] args = Yaml.List(deployed.Container["args"]).Cast<string>().ToArray();

        ParseResult parsed = OrleansRpcCommandLine.Create().Parse(args);
        Assert.Empty(parsed.Errors);
        Assert.Equal("serve", parsed.CommandResult.Command.Name);
        Assert.NotNull(deployed.ConfigFile);
        Assert.Equal(Yaml.Name(deployed.Rendered.Single("ConfigMap")), deployed.ConfigMapName);
    }

    private static void AssertSelects(Dictionary<string, string> podLabels, object? selector, string what)
    {
        Dictionary<string, string> matchLabels = Yaml.Strings(selector);
        Assert.NotEmpty(matchLabels);
        foreach ((string key, string value) in matchLabels)
        {
            Assert.True(podLabels.TryGetValue(key, out string? actual) && actual == value, $"{what} wants {key}={value}, the pods have {actual ?? "nothing"}");
        }
    }

    /// <summary>One rendered kustomization with its silo Deployment and the silo's effective configuration.</summary>
    private sealed class Deployed
    {
        private Deployed(KustomizeRenderer.Rendered rendered)
        {
            Rendered = rendered;
            Deployment = rendered.Single("Deployment");
            PodSpec = Yaml.Map(Yaml.At(Deployment, "spec.template.spec"), "pod spec");
            Container = KustomizeRenderer.Containers(Deployment).Single(c => Yaml.Str(c, "name") == ContainerName);

            // --config FILE must be a file of the ConfigMap mounted at FILE's folder.
            string[] args = Yaml.List(Container["args"]).Cast<string>().ToArray();
            int config = Array.IndexOf(args, "--config");
            Assert.True(config >= 0 && config + 1 < args.Length, "the container does not pass --config");
            string configPath = args[config + 1];
            Dictionary<object, object?> mount = Yaml.Maps(Container["volumeMounts"]).Single(m => Yaml.Str(m, "mountPath") == Path.GetDirectoryName(configPath));
            Dictionary<object, object?> volume = Yaml.Maps(PodSpec["volumes"]).Single(v => Yaml.Str(v, "name") == Yaml.Str(mount, "name"));
            ConfigMapName = Yaml.Str(volume, "configMap.name")!;
            Assert.True(rendered.ConfigFiles.TryGetValue(ConfigMapName, out Dictionary<string, string>? files), $"no ConfigMap '{ConfigMapName}' is generated");
            Assert.True(files!.TryGetValue(Path.GetFileName(configPath), out string? contents), $"ConfigMap '{ConfigMapName}' has no {Path.GetFileName(configPath)}");
            ConfigFile = contents;

            var environment = new Dictionary<string, string>(Dockerfile.Load(RepositoryPaths.Dockerfile).Final.Environment(), StringComparer.Ordinal);
            Dictionary<string, string> podLabels = Yaml.Strings(Yaml.At(Deployment, "spec.template.metadata.labels"));
            foreach (Dictionary<object, object?> env in Yaml.Maps(Container.GetValueOrDefault("env")))
            {
                string name = Yaml.Str(env, "name")!;
                if (Yaml.Str(env, "value") is { } value)
                {
                    environment[name] = value;
                }
                else if (Yaml.Str(env, "valueFrom.fieldRef.fieldPath") is { } field && field.StartsWith("metadata.labels['", StringComparison.Ordinal))
                {
                    string label = field["metadata.labels['".Length..^2];
                    Assert.True(podLabels.TryGetValue(label, out string? labelValue), $"env {name} reads pod label {label}, which the pods do not have");
                    environment[name] = labelValue!;
                }
            }

            Configuration = DeploymentConfiguration.Create(ConfigFile, environment);
        }

        public KustomizeRenderer.Rendered Rendered { get; }

        public Dictionary<object, object?> Deployment { get; }

        public Dictionary<object, object?> PodSpec { get; }

        public Dictionary<object, object?> Container { get; }

        public string ConfigMapName { get; }

        public string? ConfigFile { get; }

        public DeploymentConfiguration Configuration { get; }

        public static Deployed Render(string kustomization) =>
            new(KustomizeRenderer.Render(Path.Combine(RepositoryPaths.Kubernetes, kustomization.Replace('/', Path.DirectorySeparatorChar))));

        public int ContainerPort(string name) =>
            Yaml.Int(Yaml.Maps(Container["ports"]).Single(p => Yaml.Str(p, "name") == name), "containerPort")!.Value;

        /// <summary>A port by number or by the container port's name.</summary>
        public int ResolvePort(string? port)
        {
            Assert.False(string.IsNullOrEmpty(port));
            return int.TryParse(port, out int number) ? number : ContainerPort(port);
        }
    }
}
