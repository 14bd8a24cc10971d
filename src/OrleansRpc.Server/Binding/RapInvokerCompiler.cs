using System.Buffers;
using System.Linq.Expressions;
using System.Reflection;
using OrleansRpc.MessagePack;
using OrleansRpc.Server.Formatters;

namespace OrleansRpc.Server.Binding;

/// <summary>
/// Turns a method into a <see cref="RapFunctionDescriptor"/> with compiled invokers: one expression tree per
/// generation that reads each argument into a typed local straight from the <see cref="MessagePackReader"/>,
/// calls the method and writes its result with the result type's formatter. No reflection, boxing or
/// dictionaries at call time; unsupported signatures fail here, naming the parameter.
/// </summary>
internal static class RapInvokerCompiler
{
    private const int MaxWireParameters = 64;

    public static RapFunctionDescriptor Compile(
        string group, string name, MethodInfo method, object? target, bool isPrivate, string? doc, RapFormatterResolver resolver)
    {
        var where = $"Cannot register '{group}/{name}' ({method.DeclaringType?.Name}.{method.Name})";
        if (method.ContainsGenericParameters)
        {
            throw new RapRegistrationException($"{where}: generic methods are not supported");
        }

        if (!method.IsStatic && target is null)
        {
            throw new RapRegistrationException($"{where}: an instance method needs a target");
        }

        var returnType = method.ReturnType;
        var kind = ClassifyKind(method, returnType);
        var (resultType, resultShape) = ClassifyReturn(returnType, kind, where);

        var parameters = new List<RapParameterDescriptor>();
        var wire = new List<(RapParameterDescriptor Descriptor, object Binder, IRapFormatter Formatter)>();
        foreach (var parameter in method.GetParameters())
        {
            var parameterName = parameter.Name ?? $"arg{parameter.Position}";
            var type = parameter.ParameterType;
            if (type.IsByRef || parameter.IsOut)
            {
                throw new RapRegistrationException($"{where}: parameter '{parameterName}' is passed by reference, which is not supported");
            }

            var source = type == typeof(CancellationToken) ? RapParameterSource.CancellationToken
                : type == typeof(RapCallContext) ? RapParameterSource.CallContext
                : type == typeof(RapSession) ? RapParameterSource.Session
                : type == typeof(IRapChannel) ? RapParameterSource.Channel
                : RapParameterSource.Wire;
            if (source == RapParameterSource.Channel && kind != RapFunctionKind.Channel)
            {
                throw new RapRegistrationException($"{where}: parameter '{parameterName}' of type IRapChannel is only allowed in a channel handler");
            }

            var hasDefault = parameter.HasDefaultValue;
            var defaultValue = hasDefault ? parameter.DefaultValue : null;
            var descriptor = new RapParameterDescriptor(parameterName, type, source, hasDefault, defaultValue, parameter.Position);
            parameters.Add(descriptor);
            if (source != RapParameterSource.Wire)
            {
                continue;
            }

            if (kind == RapFunctionKind.Channel)
            {
                throw new RapRegistrationException($"{where}: parameter '{parameterName}': a channel handler takes only an IRapChannel (plus CancellationToken / RapCallContext / RapSession)");
            }

            IRapFormatter? formatter;
            try
            {
                formatter = resolver.GetFormatter(type, parameter);
            }
            catch (RapRegistrationException ex)
            {
                throw new RapRegistrationException($"{where}: parameter '{parameterName}': {ex.Message}", ex);
            }

            if (formatter is null)
            {
                throw new RapRegistrationException($"{where}: parameter '{parameterName}' has unsupported type '{type}'");
            }
            var binderType = typeof(WireParameter<>).MakeGenericType(formatter.Type);
            var typedDefault = hasDefault ? DefaultOf(defaultValue, formatter.Type) : DefaultOf(null, formatter.Type);
            var binder = Activator.CreateInstance(binderType, parameterName, formatter, hasDefault, typedDefault)!;
            wire.Add((descriptor, binder, formatter));
        }

        if (wire.Count > MaxWireParameters)
        {
            throw new RapRegistrationException($"{where}: more than {MaxWireParameters} parameters are not supported");
        }

        if (kind == RapFunctionKind.Channel && !parameters.Any(p => p.Source == RapParameterSource.Channel))
        {
            throw new RapRegistrationException($"{where}: a channel handler needs an IRapChannel parameter");
        }

        var resultFormatter = resultType == typeof(void) ? null
            : resolver.GetFormatter(resultType, method.ReturnParameter)
              ?? throw new RapRegistrationException($"{where}: return type '{resultType}' is not supported");

        var invokers = kind switch
        {
            RapFunctionKind.Channel => new CompiledInvokers { Channel = CompileChannel(method, parameters, resultShape) },
            RapFunctionKind.Generator => new CompiledInvokers
            {
                HeadGenerator = CompileHead<RapItemSource>(method, parameters, wire, resultShape, resultFormatter),
                LegacyGenerator = CompileLegacy<RapItemSource>(method, parameters, wire, resultShape, resultFormatter),
            },
            _ => new CompiledInvokers
            {
                HeadUnary = CompileHead<ValueTask>(method, parameters, wire, resultShape, resultFormatter),
                LegacyUnary = CompileLegacy<ValueTask>(method, parameters, wire, resultShape, resultFormatter),
            },
        };

        var isSynchronous = kind == RapFunctionKind.Normal && resultShape is ResultShape.Value or ResultShape.Void;
        return new RapFunctionDescriptor(group, name, kind, isPrivate, doc ?? string.Empty, method, method.IsStatic ? null : target,
            parameters, resultType, isSynchronous, invokers);
    }

    private static RapFunctionKind ClassifyKind(MethodInfo method, Type returnType)
    {
        if (method.GetParameters().Any(p => p.ParameterType == typeof(IRapChannel)))
        {
            return RapFunctionKind.Channel;
        }

        return returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>)
            ? RapFunctionKind.Generator
            : RapFunctionKind.Normal;
    }

    private static (Type ResultType, ResultShape Shape) ClassifyReturn(Type returnType, RapFunctionKind kind, string where)
    {
        if (kind == RapFunctionKind.Generator)
        {
            return (returnType.GetGenericArguments()[0], ResultShape.AsyncEnumerable);
        }

        (Type, ResultShape) shape = returnType switch
        {
            _ when returnType == typeof(void) => (typeof(void), ResultShape.Void),
            _ when returnType == typeof(Task) => (typeof(void), ResultShape.Task),
            _ when returnType == typeof(ValueTask) => (typeof(void), ResultShape.ValueTask),
            { IsGenericType: true } when returnType.GetGenericTypeDefinition() == typeof(Task<>) => (returnType.GetGenericArguments()[0], ResultShape.TaskOfT),
            { IsGenericType: true } when returnType.GetGenericTypeDefinition() == typeof(ValueTask<>) => (returnType.GetGenericArguments()[0], ResultShape.ValueTaskOfT),
            _ => (returnType, ResultShape.Value),
        };

        if (kind == RapFunctionKind.Channel && shape.Item1 != typeof(void))
        {
            throw new RapRegistrationException($"{where}: a channel handler returns void, Task or ValueTask, not '{returnType}'");
        }

        if (shape.Item2 == ResultShape.Value && (typeof(Task).IsAssignableFrom(returnType) || returnType.IsByRefLike || returnType.IsPointer))
        {
            throw new RapRegistrationException($"{where}: return type '{returnType}' is not supported");
        }

        return shape;
    }

    private static HeadInvoker<TResult> CompileHead<TResult>(
        MethodInfo method, List<RapParameterDescriptor> parameters, List<(RapParameterDescriptor Descriptor, object Binder, IRapFormatter Formatter)> wire,
        ResultShape shape, IRapFormatter? resultFormatter)
    {
        var target = Expression.Parameter(typeof(object), "target");
        var reader = Expression.Parameter(typeof(MessagePackReader).MakeByRefType(), "reader");
        var context = Expression.Parameter(typeof(RapCallContext), "context");
        var output = Expression.Parameter(typeof(IBufferWriter<byte>), "output");

        var locals = wire.Select(w => Expression.Variable(w.Formatter.Type, w.Descriptor.Name)).ToArray();
        var seen = Expression.Variable(typeof(ulong), "seen");
        var unknown = Expression.Variable(typeof(string), "unknown");
        var count = Expression.Variable(typeof(int), "count");
        var i = Expression.Variable(typeof(int), "i");
        var index = Expression.Variable(typeof(int), "index");
        var end = Expression.Label("end");

        var body = new List<Expression>
        {
            Expression.Assign(count, Expression.Call(typeof(BindingRuntime), nameof(BindingRuntime.HeadBegin), null, reader)),
        };

        var table = new ParameterKeyTable(wire.Select((w, k) => (w.Descriptor.Name, k)));
        var cases = wire.Select((w, k) => Expression.SwitchCase(
            Expression.Block(
                typeof(void),
                Expression.Assign(locals[k], Expression.Call(Expression.Constant(w.Binder), "ReadHead", null, reader)),
                Expression.OrAssign(seen, Expression.Constant(1UL << k))),
            Expression.Constant(k))).ToArray();
        var match = Expression.Call(typeof(BindingRuntime), nameof(BindingRuntime.HeadMatch), null, reader, Expression.Constant(table), unknown);
        Expression dispatch = cases.Length == 0
            ? match
            : Expression.Switch(typeof(void), match, Expression.Empty(), null, cases);
        body.Add(Expression.Assign(i, Expression.Constant(0)));
        body.Add(Expression.Loop(
            Expression.IfThenElse(
                Expression.LessThan(i, count),
                Expression.Block(dispatch, Expression.PreIncrementAssign(i)),
                Expression.Break(end)),
            end));

        // Python's Signature.bind: missing required arguments first (in order), then the first unexpected keyword.
        for (var k = 0; k < wire.Count; k++)
        {
            if (!wire[k].Descriptor.HasDefault)
            {
                body.Add(Expression.IfThen(
                    NotSeen(seen, k),
                    Expression.Throw(Expression.Call(typeof(BindingRuntime), nameof(BindingRuntime.HeadMissing), null, Expression.Constant(wire[k].Descriptor.Name)))));
            }
        }

        body.Add(Expression.Call(typeof(BindingRuntime), nameof(BindingRuntime.HeadCheckUnknown), null, unknown));
        AddDefaults(body, wire, locals, seen);
        body.Add(Finish(method, parameters, wire, locals, target, context, output, shape, resultFormatter));

        var block = Expression.Block(typeof(TResult), [.. locals, seen, unknown, count, i, index], body);
        return Expression.Lambda<HeadInvoker<TResult>>(block, target, reader, context, output).Compile();
    }

    private static LegacyInvoker<TResult> CompileLegacy<TResult>(
        MethodInfo method, List<RapParameterDescriptor> parameters, List<(RapParameterDescriptor Descriptor, object Binder, IRapFormatter Formatter)> wire,
        ResultShape shape, IRapFormatter? resultFormatter)
    {
        var target = Expression.Parameter(typeof(object), "target");
        var param = Expression.Parameter(typeof(MessagePackReader).MakeByRefType(), "param");
        var defaults = Expression.Parameter(typeof(MessagePackReader).MakeByRefType(), "defaultParam");
        var hasDefaults = Expression.Parameter(typeof(bool), "hasDefaultParam");
        var functionName = Expression.Parameter(typeof(string), "functionName");
        var context = Expression.Parameter(typeof(RapCallContext), "context");
        var output = Expression.Parameter(typeof(IBufferWriter<byte>), "output");

        var locals = wire.Select(w => Expression.Variable(w.Formatter.Type, w.Descriptor.Name)).ToArray();
        var seen = Expression.Variable(typeof(ulong), "seen");
        var unknown = Expression.Variable(typeof(List<string>), "unknown");
        var count = Expression.Variable(typeof(int), "count");
        var i = Expression.Variable(typeof(int), "i");
        var end = Expression.Label("end");

        var required = wire.Where(w => !w.Descriptor.HasDefault).Count();
        var body = new List<Expression>
        {
            Expression.Call(typeof(BindingRuntime), nameof(BindingRuntime.LegacyBeginPositional), null, param, Expression.Constant(required), functionName),
        };

        // Parameters without a default travel positionally, in signature order.
        for (var k = 0; k < wire.Count; k++)
        {
            if (!wire[k].Descriptor.HasDefault)
            {
                body.Add(Expression.Assign(locals[k], Expression.Call(Expression.Constant(wire[k].Binder), "ReadLegacy", null, param)));
                body.Add(Expression.OrAssign(seen, Expression.Constant(1UL << k)));
            }
        }

        // Parameters with a default travel by name in default_param; any other key is an error.
        var optional = wire.Select((w, k) => (w, k)).Where(x => x.w.Descriptor.HasDefault).ToList();
        var table = new ParameterKeyTable(optional.Select(x => (x.w.Descriptor.Name, x.k)));
        var cases = optional.Select(x => Expression.SwitchCase(
            Expression.Block(
                typeof(void),
                Expression.Assign(locals[x.k], Expression.Call(Expression.Constant(x.w.Binder), "ReadLegacy", null, defaults)),
                Expression.OrAssign(seen, Expression.Constant(1UL << x.k))),
            Expression.Constant(x.k))).ToArray();
        var match = Expression.Call(typeof(BindingRuntime), nameof(BindingRuntime.LegacyMatch), null, defaults, Expression.Constant(table), unknown);
        Expression dispatch = cases.Length == 0 ? match : Expression.Switch(typeof(void), match, Expression.Empty(), null, cases);
        body.Add(Expression.Assign(count, Expression.Call(typeof(BindingRuntime), nameof(BindingRuntime.LegacyBeginDefaults), null, defaults, hasDefaults)));
        body.Add(Expression.Assign(i, Expression.Constant(0)));
        body.Add(Expression.Loop(
            Expression.IfThenElse(
                Expression.LessThan(i, count),
                Expression.Block(dispatch, Expression.PreIncrementAssign(i)),
                Expression.Break(end)),
            end));
        body.Add(Expression.Call(typeof(BindingRuntime), nameof(BindingRuntime.LegacyCheckUnknown), null, unknown, functionName));
        AddDefaults(body, wire, locals, seen);
        body.Add(Finish(method, parameters, wire, locals, target, context, output, shape, resultFormatter));

        var block = Expression.Block(typeof(TResult), [.. locals, seen, unknown, count, i], body);
        return Expression.Lambda<LegacyInvoker<TResult>>(block, target, param, defaults, hasDefaults, functionName, context, output).Compile();
    }

    private static ChannelInvoker CompileChannel(MethodInfo method, List<RapParameterDescriptor> parameters, ResultShape shape)
    {
        var target = Expression.Parameter(typeof(object), "target");
        var channel = Expression.Parameter(typeof(IRapChannel), "channel");
        var context = Expression.Parameter(typeof(RapCallContext), "context");
        var args = parameters.Select(p => p.Source == RapParameterSource.Channel ? channel : Injected(p, context)).ToArray();
        var call = Call(method, target, args);
        Expression body = shape switch
        {
            ResultShape.Task => Expression.Call(typeof(ResultWriters), nameof(ResultWriters.Channel), null, call),
            ResultShape.ValueTask => Expression.Call(typeof(ResultWriters), nameof(ResultWriters.Channel), null, call),
            _ => Expression.Block(call, Expression.Call(typeof(ResultWriters), nameof(ResultWriters.ChannelVoid), null)),
        };
        return Expression.Lambda<ChannelInvoker>(body, target, channel, context).Compile();
    }

    private static BinaryExpression NotSeen(ParameterExpression seen, int k)
        => Expression.Equal(Expression.And(seen, Expression.Constant(1UL << k)), Expression.Constant(0UL));

    private static void AddDefaults(
        List<Expression> body, List<(RapParameterDescriptor Descriptor, object Binder, IRapFormatter Formatter)> wire, ParameterExpression[] locals, ParameterExpression seen)
    {
        for (var k = 0; k < wire.Count; k++)
        {
            if (wire[k].Descriptor.HasDefault)
            {
                body.Add(Expression.IfThen(
                    NotSeen(seen, k),
                    Expression.Assign(locals[k], Expression.Property(Expression.Constant(wire[k].Binder), "DefaultValue"))));
            }
        }
    }

    private static Expression Finish(
        MethodInfo method, List<RapParameterDescriptor> parameters, List<(RapParameterDescriptor Descriptor, object Binder, IRapFormatter Formatter)> wire,
        ParameterExpression[] locals, ParameterExpression target, ParameterExpression context, ParameterExpression output,
        ResultShape shape, IRapFormatter? resultFormatter)
    {
        var args = new Expression[parameters.Count];
        var w = 0;
        for (var k = 0; k < parameters.Count; k++)
        {
            args[k] = parameters[k].Source == RapParameterSource.Wire
                ? ConvertIfNeeded(locals[w++], parameters[k].ParameterType)
                : Injected(parameters[k], context);
        }

        _ = wire;
        var call = Call(method, target, args);
        var formatter = resultFormatter is null ? null : Expression.Constant(resultFormatter);
        return shape switch
        {
            ResultShape.Void => Expression.Block(call, Expression.Call(typeof(ResultWriters), nameof(ResultWriters.Nil), null, output)),
            ResultShape.Value => Expression.Call(typeof(ResultWriters), nameof(ResultWriters.Write), [resultFormatter!.Type], ConvertIfNeeded(call, resultFormatter.Type), formatter!, output),
            ResultShape.Task => Expression.Call(typeof(ResultWriters), nameof(ResultWriters.AwaitTask), null, call, output),
            ResultShape.ValueTask => Expression.Call(typeof(ResultWriters), nameof(ResultWriters.AwaitValueTask), null, call, output),
            ResultShape.TaskOfT => Expression.Call(typeof(ResultWriters), nameof(ResultWriters.AwaitTask), [resultFormatter!.Type], call, formatter!, output),
            ResultShape.ValueTaskOfT => Expression.Call(typeof(ResultWriters), nameof(ResultWriters.AwaitValueTask), [resultFormatter!.Type], call, formatter!, output),
            _ => Expression.Call(typeof(RapItemSource), nameof(RapItemSource.Create), [resultFormatter!.Type], call, formatter!, context),
        };
    }

    private static Expression ConvertIfNeeded(Expression value, Type type) => value.Type == type ? value : Expression.Convert(value, type);

    private static Expression Injected(RapParameterDescriptor parameter, ParameterExpression context) => parameter.Source switch
    {
        RapParameterSource.CancellationToken => Expression.Property(context, nameof(RapCallContext.CancellationToken)),
        RapParameterSource.CallContext => context,
        RapParameterSource.Session => Expression.Property(context, nameof(RapCallContext.Session)),
        _ => throw new InvalidOperationException($"parameter '{parameter.Name}' cannot be injected here"),
    };

    private static MethodCallExpression Call(MethodInfo method, ParameterExpression target, Expression[] args)
        => method.IsStatic
            ? Expression.Call(method, args)
            : Expression.Call(Expression.Convert(target, method.DeclaringType!), method, args);

    private static object? DefaultOf(object? value, Type type)
    {
        if (value is null || value is DBNull || value == Missing.Value)
        {
            return type.IsValueType ? Activator.CreateInstance(type) : null;
        }

        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsInstanceOfType(value) ? value : Convert.ChangeType(value, underlying, System.Globalization.CultureInfo.InvariantCulture);
    }

    private enum ResultShape
    {
        Void,
        Value,
        Task,
        ValueTask,
        TaskOfT,
        ValueTaskOfT,
        AsyncEnumerable,
    }
}
