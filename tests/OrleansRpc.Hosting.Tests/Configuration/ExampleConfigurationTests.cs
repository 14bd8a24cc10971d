using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansRpc.Gateway;
using Orleans.Configuration;
using OrleansRpc.Middleware;
using OrleansRpc.Middleware.Connections;
using OrleansRpc.Middleware.Crypto;
using OrleansRpc.Middleware.Diagnostics;
using OrleansRpc.Middleware.IpFiltering;
using OrleansRpc.Middleware.RateLimiting;
using OrleansRpc.Server;

namespace OrleansRpc.Hosting.Tests.Configuration;

/// <summary>
/// The executable's appsettings.json is the documented example: it must list every bindable option of every
/// section with exactly the option's default, so it can never drift from the code.
/// </summary>
public sealed class ExampleConfigurationTests
{
    public static TheoryData<string, Type> Sections => new()
    {
        { OrleansRpcSections.Gateway, typeof(RapGatewayOptions) },
        { OrleansRpcSections.Server, typeof(RapServerOptions) },
        { OrleansRpcSections.GrainsCollection, typeof(GrainCollectionOptions) },
        { OrleansRpcSections.GrainsMessaging, typeof(SiloMessagingOptions) },
        { OrleansRpcSections.GrainsStatelessWorker, typeof(StatelessWorkerOptions) },
        { OrleansRpcSections.Cluster, typeof(ClusterOptions) },
        { OrleansRpcSections.Health, typeof(HealthEndpointOptions) },
        { OrleansRpcSections.Metrics, typeof(MetricsOptions) },
        { OrleansRpcSections.Functions, typeof(FunctionAssemblyOptions) },
    };

    [Theory]
    [MemberData(nameof(Sections))]
    public void The_example_lists_every_option_of_the_section_with_its_default(string section, Type optionsType)
    {
        IConfiguration exampleConfiguration = new ConfigurationBuilder().AddJsonFile(RepositoryPaths.HostAppSettings).Build();
        IConfigurationSection example = exampleConfiguration.GetSection(section);

        // The defaults as hosted: what AddOrleansRpc resolves with no configuration at all.
        object defaults = Resolve(new ConfigurationBuilder().Build(), optionsType);
        object bound = Resolve(exampleConfiguration, optionsType);

        foreach (PropertyInfo property in BindableProperties(optionsType))
        {
            if ((optionsType == typeof(ClusterOptions) && property.Name == nameof(ClusterOptions.SiloName))
                || (optionsType == typeof(RapServerOptions) && property.Name == nameof(RapServerOptions.MaxLocalWorkers)))
            {
                continue; // machine-dependent defaults (pod or machine name, processor count); documented in deploy/README.md
            }

            object? value = property.GetValue(defaults);
            if (value is null)
            {
                // Options without a default (TLS files, PongTimeout) are documented in deploy/README.md.
                Assert.False(example.GetSection(property.Name).Exists(), $"{section}:{property.Name} has no default; leave it out of the example.");
                continue;
            }

            Assert.True(Listed(example, property.Name), $"{section}:{property.Name} is missing from src/OrleansRpc.Host/appsettings.json.");
            Assert.Equal(Describe(value), Describe(property.GetValue(bound)));
        }
    }

    [Theory]
    [MemberData(nameof(Sections))]
    public void The_deploy_readme_documents_every_option_with_its_key_and_environment_variable(string section, Type optionsType)
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryPaths.Deploy, "README.md"));
        foreach (PropertyInfo property in BindableProperties(optionsType))
        {
            string key = $"{section}:{property.Name}";
            string environment = key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant();
            Assert.True(readme.Contains($"`{key}`", StringComparison.Ordinal) || readme.Contains($"`{key}:", StringComparison.Ordinal), $"deploy/README.md does not document {key}");
            Assert.True(readme.Contains($"`{environment}`", StringComparison.Ordinal) || readme.Contains($"`{environment}__", StringComparison.Ordinal), $"deploy/README.md does not give {environment}");
        }
    }

    private static object Resolve(IConfiguration configuration, Type optionsType)
    {
        if (optionsType == typeof(FunctionAssemblyOptions))
        {
            var functions = new FunctionAssemblyOptions();
            configuration.GetSection(OrleansRpcSections.Functions).Bind(functions);
            return functions;
        }

        var services = new ServiceCollection();
        services.AddOrleansRpc(configuration);
        using ServiceProvider provider = services.BuildServiceProvider();
        object options = provider.GetRequiredService(typeof(IOptions<>).MakeGenericType(optionsType));
        return options.GetType().GetProperty(nameof(IOptions<object>.Value))!.GetValue(options)!;
    }

    private static readonly Dictionary<string, Type> MiddlewareSections = new(StringComparer.OrdinalIgnoreCase)
    {
        [RapMiddlewareSections.Refusal] = typeof(RapRefusalOptions),
        [RapMiddlewareSections.ConnectionLimit] = typeof(RapConnectionLimitOptions),
        [RapMiddlewareSections.IpConnectionLimit] = typeof(RapIpConnectionLimitOptions),
        [RapMiddlewareSections.IpFilter] = typeof(RapIpFilterOptions),
        [RapMiddlewareSections.Crypto] = typeof(RapCryptoOptions),
        [RapMiddlewareSections.RateLimit] = typeof(RapRateLimitOptions),
        [RapMiddlewareSections.Telemetry] = typeof(RapTelemetryOptions),
    };

    [Fact]
    public void The_example_has_no_keys_that_bind_to_nothing()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddJsonFile(RepositoryPaths.HostAppSettings).Build();
        var known = Sections.Select(row => ((string)row[0], (Type)row[1])).ToDictionary(r => r.Item1, r => r.Item2, StringComparer.OrdinalIgnoreCase);
        foreach (IConfigurationSection child in configuration.GetSection(OrleansRpcSections.Root).GetChildren())
        {
            string path = child.Path;
            if (string.Equals(path, OrleansRpcSections.Grains, StringComparison.OrdinalIgnoreCase))
            {
                Assert.All(child.GetChildren(), grandchild => Assert.Contains(grandchild.Path, known.Keys));
                continue;
            }

            if (string.Equals(path, RapMiddlewareSections.Root, StringComparison.OrdinalIgnoreCase))
            {
                // Each middleware section binds to its own options type; "Enabled: false" switches one off.
                foreach (IConfigurationSection feature in child.GetChildren())
                {
                    Assert.Contains(feature.Path, MiddlewareSections.Keys);
                    HashSet<string> featureProperties = BindableProperties(MiddlewareSections[feature.Path]).Select(p => p.Name).Append("Enabled").ToHashSet(StringComparer.OrdinalIgnoreCase);
                    Assert.All(feature.GetChildren(), key => Assert.Contains(key.Key, featureProperties));
                }

                continue;
            }

            Assert.Contains(path, known.Keys);
            HashSet<string> properties = BindableProperties(known[path]).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            Assert.All(child.GetChildren(), key => Assert.Contains(key.Key, properties));
        }
    }

    [Fact]
    public void The_example_is_plain_json()
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.HostAppSettings));
        Assert.Equal(JsonValueKind.Object, document.RootElement.GetProperty("OrleansRpc").ValueKind);
    }

    private static bool Listed(IConfigurationSection section, string key) =>
        section.GetSection(key) is { } child && (child.Value is not null || child.Exists() || IsEmptyCollectionKey(section, key));

    // An empty JSON array or object does not create a configuration key; look at the file itself.
    private static bool IsEmptyCollectionKey(IConfigurationSection section, string key)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.HostAppSettings));
        JsonElement element = document.RootElement;
        foreach (string part in section.Path.Split(':').Append(key))
        {
            if (!element.TryGetProperty(part, out element))
            {
                return false;
            }
        }

        return element.ValueKind is JsonValueKind.Array or JsonValueKind.Object;
    }

    // Orleans' own option classes have dozens of settings; the example and the deploy README cover the ones that matter
    // for a rap server (any other property binds too). The test below checks the example names real properties only.
    private static readonly HashSet<string> s_documentedOrleansOptions =
    [
        nameof(GrainCollectionOptions.CollectionQuantum), nameof(GrainCollectionOptions.CollectionAge),
        nameof(GrainCollectionOptions.ActivationTimeout), nameof(GrainCollectionOptions.DeactivationTimeout),
        nameof(GrainCollectionOptions.ClassSpecificCollectionAge),
        nameof(SiloMessagingOptions.ResponseTimeout), nameof(SiloMessagingOptions.CancelRequestOnTimeout),
        nameof(SiloMessagingOptions.MaxEnqueuedRequestsHardLimit), nameof(SiloMessagingOptions.MaxEnqueuedRequestsHardLimit_StatelessWorker),
        nameof(StatelessWorkerOptions.IdleWorkersInspectionPeriod), nameof(StatelessWorkerOptions.MinIdleCyclesBeforeRemoval),
        nameof(StatelessWorkerOptions.RemoveIdleWorkers),
    ];

    [Theory]
    [InlineData(OrleansRpcSections.GrainsCollection, typeof(GrainCollectionOptions))]
    [InlineData(OrleansRpcSections.GrainsMessaging, typeof(SiloMessagingOptions))]
    [InlineData(OrleansRpcSections.GrainsStatelessWorker, typeof(StatelessWorkerOptions))]
    public void The_example_names_only_real_orleans_options(string section, Type optionsType)
    {
        IConfigurationSection example = new ConfigurationBuilder().AddJsonFile(RepositoryPaths.HostAppSettings).Build().GetSection(section);
        Assert.NotEmpty(example.GetChildren());
        foreach (IConfigurationSection key in example.GetChildren())
        {
            Assert.NotNull(optionsType.GetProperty(key.Key, BindingFlags.Public | BindingFlags.Instance));
        }
    }

    private static IEnumerable<PropertyInfo> BindableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => type.Namespace != "Orleans.Configuration" || s_documentedOrleansOptions.Contains(p.Name))
            .Where(p => p.GetIndexParameters().Length == 0)
            .Where(p => p.CanWrite || (IsCollection(p.PropertyType) && !p.PropertyType.Name.StartsWith("IReadOnly", StringComparison.Ordinal)))
            .Where(p => !p.PropertyType.IsGenericType || p.PropertyType.GetGenericTypeDefinition() != typeof(IList<>) || p.PropertyType.GetGenericArguments()[0] == typeof(string))
            .Where(p => !typeof(Delegate).IsAssignableFrom(p.PropertyType) && !IsDelegateList(p.PropertyType))
            .Where(p => p.PropertyType != typeof(HashSet<Type>));

    private static bool IsCollection(Type type) => type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type);

    private static bool IsDelegateList(Type type) =>
        type.IsGenericType && type.GetGenericArguments().Any(a => typeof(Delegate).IsAssignableFrom(a));

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string s => s,
        System.Collections.IDictionary d => $"dictionary[{d.Count}]",
        System.Collections.IEnumerable e => "[" + string.Join(",", e.Cast<object?>().Select(Describe)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
