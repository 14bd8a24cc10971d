using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Tests.Registration;

public sealed class RegistrationTests
{
    private sealed class Unsupported
    {
        public Unsupported(int x) => X = x;

        public int X { get; }
    }

    [Fact]
    public void Duplicate_group_and_name_is_rejected()
    {
        var registry = new RapFunctionRegistry();
        registry.Register((int a) => a, "f");
        var ex = Assert.Throws<RapRegistrationException>(() => registry.Register((long a) => a, "f"));
        Assert.Contains("'default/f'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("already registered", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_name_in_another_group_or_as_channel_is_allowed()
    {
        var registry = new RapFunctionRegistry();
        registry.Register((int a) => a, "f");
        registry.Register((int a) => a * 10, "f", group: "math");
        registry.Register((IRapChannel channel) => Task.CompletedTask, "f");
        Assert.NotNull(registry.Find("default", "f", RapFunctionKind.Normal));
        Assert.NotNull(registry.Find("math", "f", RapFunctionKind.Normal));
        Assert.NotNull(registry.Find("default", "f", RapFunctionKind.Channel));
    }

    [Fact]
    public void Duplicate_alias_is_rejected()
    {
        var registry = new RapFunctionRegistry();
        var f = registry.Register((int a) => a, "f");
        registry.RegisterAlias(f, "g");
        Assert.Throws<RapRegistrationException>(() => registry.RegisterAlias(f, "g"));
        Assert.Throws<RapRegistrationException>(() => registry.RegisterAlias(f, "f"));
    }

    [Fact]
    public void Unsupported_parameter_type_names_the_parameter()
    {
        var registry = new RapFunctionRegistry();
        var ex = Assert.Throws<RapRegistrationException>(() => registry.Register((int a, DateTime when) => a, "f"));
        Assert.Contains("parameter 'when'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("System.DateTime", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<RapRegistrationException>(() => registry.Register((Dictionary<int, string> map) => 1, "g"));
        Assert.Contains("parameter 'map'", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<RapRegistrationException>(() => registry.Register((object o) => 1, "h"));
        Assert.Contains("parameter 'o'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_return_type_is_rejected()
    {
        var registry = new RapFunctionRegistry();
        var ex = Assert.Throws<RapRegistrationException>(() => registry.Register(() => new Dictionary<int, int>(), "f"));
        Assert.Contains("return type", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<RapRegistrationException>(() => registry.Register(() => TimeSpan.Zero, "g"));
        Assert.Contains("return type", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Channel_parameter_outside_channel_handler_and_bad_channel_signatures_are_rejected()
    {
        var registry = new RapFunctionRegistry();
        var ex = Assert.Throws<RapRegistrationException>(() => registry.Register((IRapChannel channel, int n) => Task.CompletedTask, "c"));
        Assert.Contains("parameter 'n'", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<RapRegistrationException>(() => registry.Register((IRapChannel channel) => Task.FromResult(1), "d"));
        Assert.Contains("channel handler returns", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lambda_needs_a_name_and_names_may_not_contain_a_slash()
    {
        var registry = new RapFunctionRegistry();
        Assert.Throws<RapRegistrationException>(() => registry.Register((int a) => a));
        Assert.Throws<RapRegistrationException>(() => registry.Register((int a) => a, "a/b"));
        Assert.Throws<RapRegistrationException>(() => registry.Register((int a) => a, "x", group: ""));
    }

    [Fact]
    public void Kinds_and_parameters_are_described()
    {
        var registry = new RapFunctionRegistry();
        var sync = registry.Register((int a, string s = "x", CancellationToken ct = default) => a, "sync");
        var async = registry.Register(async (int a) => { await Task.Yield(); return a; }, "async");
        var gen = registry.Register((int n) => Numbers(n), "gen");
        var channel = registry.Register((IRapChannel c, RapCallContext ctx) => ValueTask.CompletedTask, "chan");

        Assert.Equal(RapFunctionKind.Normal, sync.Kind);
        Assert.True(sync.IsSynchronous);
        Assert.False(async.IsSynchronous);
        Assert.Equal(typeof(int), async.ResultType);
        Assert.Equal(RapFunctionKind.Generator, gen.Kind);
        Assert.Equal(typeof(int), gen.ResultType);
        Assert.Equal(RapFunctionKind.Channel, channel.Kind);
        Assert.Equal([RapParameterSource.Wire, RapParameterSource.Wire, RapParameterSource.CancellationToken], sync.Parameters.Select(p => p.Source));
        Assert.True(sync.Parameters[1].HasDefault);
        Assert.Equal("x", sync.Parameters[1].DefaultValue);
        Assert.Equal([RapParameterSource.Channel, RapParameterSource.CallContext], channel.Parameters.Select(p => p.Source));
    }

    [Fact]
    public void Group_class_registers_public_methods_with_attributes_and_aliases()
    {
        var registry = new RapFunctionRegistry();
        var added = registry.RegisterGroup(new SampleGroup());
        Assert.Equal(["plus", "plus_alias", "Hidden"], added.Select(f => f.Name));
        Assert.All(added, f => Assert.Equal("sample", f.Group));
        Assert.True(registry.Find("sample", "Hidden", RapFunctionKind.Normal)!.IsPrivate);
        Assert.Null(registry.Find("sample", "Ignored", RapFunctionKind.Normal));
    }

    [Fact]
    public void Registration_errors_surface_when_the_host_resolves_the_registry()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        services.AddRapServer().AddFunction((int a) => a, "f").AddFunction((int a) => a, "f");
        using var provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);
        Assert.Throws<RapRegistrationException>(() => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<RapFunctionRegistry>(provider));
    }

    [Fact]
    public void Unsupported_poco_member_names_the_member()
    {
        var registry = new RapFunctionRegistry();
        var ex = Assert.Throws<RapRegistrationException>(() => registry.Register((Holder h) => 1, "f"));
        Assert.Contains("When", ex.Message, StringComparison.OrdinalIgnoreCase);
        _ = new Unsupported(1).X;
        _ = MessagePackValue.Nil;
    }

    [Fact]
    public void Recursive_types_are_refused_naming_the_parameter()
    {
        var registry = new RapFunctionRegistry();
        var ex = Assert.Throws<RapRegistrationException>(() => registry.Register((Node node) => 1, "walk"));
        Assert.Contains("parameter 'node'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("refers to itself", ex.Message, StringComparison.Ordinal);
    }

    public sealed class Node
    {
        public int Value { get; set; }

        public Node? Next { get; set; }
    }

    private static async IAsyncEnumerable<int> Numbers(int n)
    {
        for (var i = 0; i < n; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }

    public sealed class Holder
    {
        public DateTime When { get; set; }
    }

    [RapGroup("sample")]
    public sealed class SampleGroup
    {
        [RapFunction(Name = "plus", Aliases = ["plus_alias"])]
        public static int Plus(int a, int b) => a + b;

        [RapFunction(IsPrivate = true)]
        public string Hidden() => "h";

        [RapIgnore]
        public string Ignored() => "i";
    }
}
