using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Reflection.Emit;
using OrleansRpc.Grains.Runtime;

namespace OrleansRpc.Grains.CodeGeneration;

/// <summary>
/// Emits, once per grain interface, a sealed <see cref="GrainReference"/> subclass implementing it. Each method
/// packs its arguments into a value tuple and calls the low-level invoke API with a cached <see cref="GrainMethod"/>
/// and a static body delegate: no <c>object[]</c>, no boxing.
/// </summary>
internal static class GrainProxyFactory
{
    private static readonly ConcurrentDictionary<Type, Func<GrainReferenceShared, GrainId, GrainReference>> s_activators = new();
    private static readonly Lock s_emitLock = new();
    private static readonly HashSet<string> s_accessibleAssemblies = [];
    private static readonly AssemblyBuilder s_assembly =
        AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("OrleansRpc.Grains.Proxies"), AssemblyBuilderAccess.Run);
    private static readonly ModuleBuilder s_module = s_assembly.DefineDynamicModule("OrleansRpc.Grains.Proxies");
    private static ConstructorInfo? s_ignoresAccessChecksCtor;
    private static int s_counter;

    private static readonly Type[] s_valueTuples =
    [
        typeof(ValueTuple), typeof(ValueTuple<>), typeof(ValueTuple<,>), typeof(ValueTuple<,,>),
        typeof(ValueTuple<,,,>), typeof(ValueTuple<,,,,>), typeof(ValueTuple<,,,,,>), typeof(ValueTuple<,,,,,,>),
    ];

    public static GrainReference Create(GrainReferenceShared shared, GrainId grainId) =>
        s_activators.GetOrAdd(shared.InterfaceType, static type => Build(type))(shared, grainId);

    /// <summary>Builds (and caches) the proxy for <paramref name="interfaceType"/>; throws if a method is not supported.</summary>
    public static Func<GrainReferenceShared, GrainId, GrainReference> Build(Type interfaceType)
    {
        lock (s_emitLock)
        {
            if (s_activators.TryGetValue(interfaceType, out var existing))
            {
                return existing;
            }

            var methods = interfaceType.GetMethods()
                .Concat(interfaceType.GetInterfaces().SelectMany(i => i.GetMethods()))
                .Distinct()
                .ToArray();
            var plans = methods.Select(m => MethodPlan.Create(interfaceType, m)).ToArray();

            AllowAccessTo(interfaceType);
            foreach (var plan in plans)
            {
                AllowAccessTo(plan.Method.ReturnType);
                foreach (var parameter in plan.Method.GetParameters())
                {
                    AllowAccessTo(parameter.ParameterType);
                }
            }

            var name = $"{interfaceType.Namespace}.{interfaceType.Name}Proxy_{Interlocked.Increment(ref s_counter)}";
            var type = s_module.DefineType(name, TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, typeof(GrainReference), [interfaceType]);
            EmitConstructor(type);
            for (var i = 0; i < plans.Length; i++)
            {
                EmitMethod(type, interfaceType, plans[i], i);
            }

            var created = type.CreateType();
            for (var i = 0; i < plans.Length; i++)
            {
                created.GetField(MethodField(i))!.SetValue(null, GrainMethod.Create(plans[i].Method));
                created.GetField(BodyField(i))!.SetValue(null, Delegate.CreateDelegate(plans[i].BodyDelegateType, created.GetMethod(BodyMethod(i))!));
            }

            var sharedParameter = Expression.Parameter(typeof(GrainReferenceShared));
            var idParameter = Expression.Parameter(typeof(GrainId));
            var ctor = created.GetConstructor([typeof(GrainReferenceShared), typeof(GrainId)])!;
            var activator = Expression.Lambda<Func<GrainReferenceShared, GrainId, GrainReference>>(
                Expression.New(ctor, sharedParameter, idParameter), sharedParameter, idParameter).Compile();
            s_activators[interfaceType] = activator;
            return activator;
        }
    }

    private static string MethodField(int i) => "__method" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string BodyField(int i) => "__body" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string BodyMethod(int i) => "__Body" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void EmitConstructor(TypeBuilder type)
    {
        var baseCtor = typeof(GrainReference).GetConstructor(
            BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, [typeof(GrainReferenceShared), typeof(GrainId)])!;
        var ctor = type.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, [typeof(GrainReferenceShared), typeof(GrainId)]);
        var il = ctor.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Call, baseCtor);
        il.Emit(OpCodes.Ret);
    }

    private static void EmitMethod(TypeBuilder type, Type interfaceType, MethodPlan plan, int index)
    {
        var methodField = type.DefineField(MethodField(index), typeof(GrainMethod), FieldAttributes.Public | FieldAttributes.Static);
        var bodyField = type.DefineField(BodyField(index), plan.BodyDelegateType, FieldAttributes.Public | FieldAttributes.Static);

        // static BodyReturn __BodyN(TInterface grain, TState state, CancellationToken ct) => grain.M(state.Item1, ..., ct);
        var body = type.DefineMethod(
            BodyMethod(index),
            MethodAttributes.Public | MethodAttributes.Static | MethodAttributes.HideBySig,
            plan.BodyReturnType,
            [interfaceType, plan.StateType, typeof(CancellationToken)]);
        var il = body.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        for (var j = 0; j < plan.ArgumentTypes.Length; j++)
        {
            il.Emit(OpCodes.Ldarga_S, (byte)1);
            il.Emit(OpCodes.Ldfld, plan.StateType.GetField("Item" + (j + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))!);
        }

        if (plan.HasCancellationToken)
        {
            il.Emit(OpCodes.Ldarg_2);
        }

        il.Emit(OpCodes.Callvirt, plan.Method);
        if (plan.Method.ReturnType != plan.BodyReturnType)
        {
            // Task<T> → ValueTask<T>, Task → ValueTask
            il.Emit(OpCodes.Newobj, plan.BodyReturnType.GetConstructor([plan.Method.ReturnType])!);
        }

        il.Emit(OpCodes.Ret);

        // The interface method.
        var parameters = plan.Method.GetParameters();
        var implementation = type.DefineMethod(
            $"{interfaceType.FullName}.{plan.Method.Name}",
            MethodAttributes.Private | MethodAttributes.Final | MethodAttributes.HideBySig | MethodAttributes.NewSlot | MethodAttributes.Virtual,
            plan.Method.ReturnType,
            parameters.Select(p => p.ParameterType).ToArray());
        type.DefineMethodOverride(implementation, plan.Method);
        il = implementation.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldsfld, methodField);
        if (plan.ArgumentTypes.Length == 0)
        {
            var empty = il.DeclareLocal(typeof(ValueTuple));
            il.Emit(OpCodes.Ldloca_S, empty);
            il.Emit(OpCodes.Initobj, typeof(ValueTuple));
            il.Emit(OpCodes.Ldloc, empty);
        }
        else
        {
            for (var j = 0; j < plan.ArgumentTypes.Length; j++)
            {
                il.Emit(OpCodes.Ldarg, (short)(j + 1));
            }

            il.Emit(OpCodes.Newobj, plan.StateType.GetConstructor(plan.ArgumentTypes)!);
        }

        il.Emit(OpCodes.Ldsfld, bodyField);
        if (plan.HasCancellationToken)
        {
            il.Emit(OpCodes.Ldarg, (short)parameters.Length);
        }
        else
        {
            var none = il.DeclareLocal(typeof(CancellationToken));
            il.Emit(OpCodes.Ldloca_S, none);
            il.Emit(OpCodes.Initobj, typeof(CancellationToken));
            il.Emit(OpCodes.Ldloc, none);
        }

        il.Emit(OpCodes.Call, plan.Helper);
        il.Emit(OpCodes.Ret);
    }

    /// <summary>Lets the proxy assembly use non-public interfaces and types (as DispatchProxy does).</summary>
    private static void AllowAccessTo(Type type)
    {
        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                AllowAccessTo(argument);
            }
        }

        if (type.HasElementType)
        {
            AllowAccessTo(type.GetElementType()!);
        }

        var assemblyName = type.Assembly.GetName().Name;
        if (assemblyName is null || !s_accessibleAssemblies.Add(assemblyName))
        {
            return;
        }

        s_ignoresAccessChecksCtor ??= DefineIgnoresAccessChecksToAttribute();
        s_assembly.SetCustomAttribute(new CustomAttributeBuilder(s_ignoresAccessChecksCtor, [assemblyName]));
    }

    private static ConstructorInfo DefineIgnoresAccessChecksToAttribute()
    {
        var attribute = s_module.DefineType(
            "System.Runtime.CompilerServices.IgnoresAccessChecksToAttribute",
            TypeAttributes.Public | TypeAttributes.Class,
            typeof(Attribute));
        var field = attribute.DefineField("_assemblyName", typeof(string), FieldAttributes.Private);
        var ctor = attribute.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, [typeof(string)]);
        var il = ctor.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Call, typeof(Attribute).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic, Type.EmptyTypes)!);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Stfld, field);
        il.Emit(OpCodes.Ret);
        var usage = typeof(AttributeUsageAttribute);
        attribute.SetCustomAttribute(new CustomAttributeBuilder(
            usage.GetConstructor([typeof(AttributeTargets)])!,
            [AttributeTargets.Assembly],
            [usage.GetProperty(nameof(AttributeUsageAttribute.AllowMultiple))!],
            [true]));
        return attribute.CreateType().GetConstructor([typeof(string)])!;
    }

    private sealed record MethodPlan(
        MethodInfo Method,
        Type[] ArgumentTypes,
        bool HasCancellationToken,
        Type StateType,
        Type BodyReturnType,
        Type BodyDelegateType,
        MethodInfo Helper)
    {
        public static MethodPlan Create(Type interfaceType, MethodInfo method)
        {
            if (method.IsGenericMethodDefinition)
            {
                throw new NotSupportedException($"{interfaceType}.{method.Name}: generic grain methods are not supported.");
            }

            if (method.IsSpecialName)
            {
                throw new NotSupportedException($"{interfaceType}.{method.Name}: grain interfaces cannot have properties or events.");
            }

            var parameters = method.GetParameters();
            if (parameters.Any(p => p.ParameterType.IsByRef))
            {
                throw new NotSupportedException($"{interfaceType}.{method.Name}: ref, out and in parameters are not supported.");
            }

            var hasToken = parameters.Length > 0 && parameters[^1].ParameterType == typeof(CancellationToken);
            var arguments = parameters.Take(hasToken ? parameters.Length - 1 : parameters.Length).Select(p => p.ParameterType).ToArray();
            if (arguments.Length >= s_valueTuples.Length)
            {
                throw new NotSupportedException($"{interfaceType}.{method.Name}: at most {s_valueTuples.Length - 1} arguments (plus a CancellationToken) are supported.");
            }

            var stateType = arguments.Length == 0 ? typeof(ValueTuple) : s_valueTuples[arguments.Length].MakeGenericType(arguments);
            var returnType = method.ReturnType;
            Type bodyReturn;
            string helperName;
            Type? itemType = null;
            if (returnType == typeof(Task))
            {
                bodyReturn = typeof(ValueTask);
                helperName = nameof(GrainProxyHelpers.InvokeVoidTask);
            }
            else if (returnType == typeof(ValueTask))
            {
                bodyReturn = typeof(ValueTask);
                helperName = nameof(GrainProxyHelpers.InvokeVoidValueTask);
            }
            else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
            {
                itemType = returnType.GetGenericArguments()[0];
                bodyReturn = typeof(ValueTask<>).MakeGenericType(itemType);
                helperName = nameof(GrainProxyHelpers.InvokeTask);
            }
            else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
            {
                itemType = returnType.GetGenericArguments()[0];
                bodyReturn = returnType;
                helperName = nameof(GrainProxyHelpers.InvokeValueTask);
            }
            else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>))
            {
                itemType = returnType.GetGenericArguments()[0];
                bodyReturn = returnType;
                helperName = nameof(GrainProxyHelpers.InvokeAsyncEnumerable);
            }
            else
            {
                throw new NotSupportedException(
                    $"{interfaceType}.{method.Name}: grain methods must return Task, Task<T>, ValueTask, ValueTask<T> or IAsyncEnumerable<T>.");
            }

            var delegateType = typeof(Func<,,,>).MakeGenericType(interfaceType, stateType, typeof(CancellationToken), bodyReturn);
            var helperDefinition = typeof(GrainProxyHelpers).GetMethod(helperName)!;
            var helper = itemType is null
                ? helperDefinition.MakeGenericMethod(interfaceType, stateType)
                : helperDefinition.MakeGenericMethod(interfaceType, stateType, itemType);
            return new MethodPlan(method, arguments, hasToken, stateType, bodyReturn, delegateType, helper);
        }
    }
}
