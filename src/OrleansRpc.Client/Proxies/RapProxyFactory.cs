using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;

namespace OrleansRpc.Client.Proxies;

/// <summary>
/// Emits, once per interface, a class whose methods box their arguments into an array and call the matching
/// <see cref="RapProxyInvoker"/> entry point with the method's index; no reflection runs per call.
/// </summary>
internal static class RapProxyFactory
{
    private static readonly ConcurrentDictionary<Type, Lazy<ProxyType>> s_types = new();
    private static readonly Lazy<ModuleBuilder> s_module = new(() =>
        AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("OrleansRpc.Client.DynamicProxies"), AssemblyBuilderAccess.Run)
            .DefineDynamicModule("OrleansRpc.Client.DynamicProxies"));

    public static T Create<T>(RapClient client)
        where T : class
    {
        var proxy = s_types.GetOrAdd(typeof(T), static type => new Lazy<ProxyType>(() => Build(type))).Value;
        return (T)proxy.Construct(new RapProxyInvoker(client, proxy.Methods));
    }

    private static ProxyType Build(Type contract)
    {
        if (!contract.IsInterface)
        {
            throw new ArgumentException($"{contract} is not an interface.");
        }

        if (!IsVisible(contract))
        {
            throw new ArgumentException($"{contract} must be public (the proxy is emitted into another assembly).");
        }

        var group = contract.GetCustomAttribute<RapServiceAttribute>()?.Group ?? RapClient.DefaultGroup;
        var interfaceMethods = contract.GetMethods().Concat(contract.GetInterfaces().SelectMany(i => i.GetMethods())).ToArray();
        if (contract.GetProperties().Length > 0 || contract.GetEvents().Length > 0)
        {
            throw new NotSupportedException($"{contract}: proxy interfaces may only declare methods.");
        }

        var methods = new RapProxyMethod[interfaceMethods.Length];
        lock (s_module)
        {
            var module = s_module.Value;
            var builder = module.DefineType(
                "RapProxy_" + contract.FullName!.Replace('.', '_').Replace('+', '_') + "_" + Guid.NewGuid().ToString("N"),
                TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class,
                typeof(object),
                [contract]);
            var invokerField = builder.DefineField("_invoker", typeof(RapProxyInvoker), FieldAttributes.Private | FieldAttributes.InitOnly);
            var constructor = builder.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, [typeof(RapProxyInvoker)]);
            var ctorIl = constructor.GetILGenerator();
            ctorIl.Emit(OpCodes.Ldarg_0);
            ctorIl.Emit(OpCodes.Call, typeof(object).GetConstructor(Type.EmptyTypes)!);
            ctorIl.Emit(OpCodes.Ldarg_0);
            ctorIl.Emit(OpCodes.Ldarg_1);
            ctorIl.Emit(OpCodes.Stfld, invokerField);
            ctorIl.Emit(OpCodes.Ret);

            for (var index = 0; index < interfaceMethods.Length; index++)
            {
                var method = interfaceMethods[index];
                if (method.IsGenericMethodDefinition)
                {
                    throw new NotSupportedException($"{contract}.{method.Name}: generic methods are not supported.");
                }

                var descriptor = new RapProxyMethod(method, group);
                methods[index] = descriptor;
                var parameters = method.GetParameters();
                var implementation = builder.DefineMethod(
                    method.Name,
                    MethodAttributes.Public | MethodAttributes.Virtual | MethodAttributes.Final | MethodAttributes.HideBySig | MethodAttributes.NewSlot,
                    method.ReturnType,
                    [.. parameters.Select(p => p.ParameterType)]);
                var il = implementation.GetILGenerator();
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldfld, invokerField);
                il.Emit(OpCodes.Ldc_I4, index);
                il.Emit(OpCodes.Ldc_I4, parameters.Length);
                il.Emit(OpCodes.Newarr, typeof(object));
                for (var i = 0; i < parameters.Length; i++)
                {
                    il.Emit(OpCodes.Dup);
                    il.Emit(OpCodes.Ldc_I4, i);
                    il.Emit(OpCodes.Ldarg, (short)(i + 1));
                    if (parameters[i].ParameterType.IsValueType)
                    {
                        il.Emit(OpCodes.Box, parameters[i].ParameterType);
                    }

                    il.Emit(OpCodes.Stelem_Ref);
                }

                il.Emit(OpCodes.Callvirt, EntryPoint(descriptor));
                il.Emit(OpCodes.Ret);
                builder.DefineMethodOverride(implementation, method);
            }

            var type = builder.CreateType();
            var create = type.GetConstructor([typeof(RapProxyInvoker)])!;
            var parameter = System.Linq.Expressions.Expression.Parameter(typeof(RapProxyInvoker));
            var construct = System.Linq.Expressions.Expression.Lambda<Func<RapProxyInvoker, object>>(
                System.Linq.Expressions.Expression.New(create, parameter), parameter).Compile();
            return new ProxyType(construct, methods);
        }
    }

    private static MethodInfo EntryPoint(RapProxyMethod descriptor)
    {
        static MethodInfo Get(string name) => typeof(RapProxyInvoker).GetMethod(name)!;
        return descriptor.Kind switch
        {
            RapProxyMethodKind.Task => Get(nameof(RapProxyInvoker.InvokeTask)).MakeGenericMethod(descriptor.ResultType!),
            RapProxyMethodKind.ValueTask => Get(nameof(RapProxyInvoker.InvokeValueTask)).MakeGenericMethod(descriptor.ResultType!),
            RapProxyMethodKind.TaskVoid => Get(nameof(RapProxyInvoker.InvokeTaskVoid)),
            RapProxyMethodKind.ValueTaskVoid => Get(nameof(RapProxyInvoker.InvokeValueTaskVoid)),
            RapProxyMethodKind.Stream => Get(nameof(RapProxyInvoker.Stream)).MakeGenericMethod(descriptor.ResultType!),
            RapProxyMethodKind.ChannelTask => Get(nameof(RapProxyInvoker.OpenChannelTask)),
            RapProxyMethodKind.ChannelValueTask => Get(nameof(RapProxyInvoker.OpenChannelValueTask)),
            RapProxyMethodKind.ChannelHandler => Get(nameof(RapProxyInvoker.RunChannel)),
            _ => throw new NotSupportedException(descriptor.Kind.ToString()),
        };
    }

    private static bool IsVisible(Type type) => type.IsPublic || (type.IsNestedPublic && type.DeclaringType is { } outer && IsVisible(outer));

    private sealed record ProxyType(Func<RapProxyInvoker, object> Construct, RapProxyMethod[] Methods);
}
