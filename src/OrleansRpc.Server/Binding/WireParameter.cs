using OrleansRpc.MessagePack;
using OrleansRpc.Server.Formatters;

namespace OrleansRpc.Server.Binding;

/// <summary>Reads one wire parameter with the generation's rules; compiled invokers call it with typed locals.</summary>
internal sealed class WireParameter<T>
{
    private readonly RapFormatter<T> _formatter;

    public WireParameter(string name, RapFormatter<T> formatter, bool hasDefault, T defaultValue)
    {
        Name = name;
        _formatter = formatter;
        HasDefault = hasDefault;
        DefaultValue = defaultValue;
    }

    public string Name { get; }

    public bool HasDefault { get; }

    public T DefaultValue { get; }

    /// <summary>HEAD: no rap type check; a value C# cannot hold becomes a Python <c>TypeError</c> (what rap's function would raise).</summary>
    public T ReadHead(ref MessagePackReader reader)
    {
        var type = reader.NextMessagePackType;
        if (!_formatter.Accepts(type, strict: false))
        {
            throw TypeMismatch(ref reader);
        }

        try
        {
            return _formatter.Read(ref reader);
        }
        catch (OverflowException)
        {
            throw new RapBindingException(RapCallResult.FunctionError("OverflowError", $"argument '{Name}' is out of range for {_formatter.PythonTypeName}"));
        }
        catch (MessagePackSerializationException ex)
        {
            throw RapBindingException.TypeError($"argument '{Name}': {ex.Message}");
        }
    }

    /// <summary>0.5.3.8: the msgpack type must match exactly; a top-level bin is an internal error in rap.</summary>
    public T ReadLegacy(ref MessagePackReader reader)
    {
        var type = reader.NextMessagePackType;
        if (!_formatter.Accepts(type, strict: true))
        {
            if (type == MessagePackType.Binary)
            {
                throw RapBindingException.RunTime();
            }

            var value = MessagePackValue.Read(ref reader);
            throw RapBindingException.Parse($"{PythonFormat.Str(value)} type must: <class '{_formatter.PythonTypeName}'>");
        }

        try
        {
            return _formatter.Read(ref reader);
        }
        catch (OverflowException)
        {
            throw new RapBindingException(RapCallResult.FunctionError("OverflowError", $"argument '{Name}' is out of range for {_formatter.PythonTypeName}"));
        }
        catch (MessagePackSerializationException)
        {
            throw RapBindingException.Parse($"{Name} type must: <class '{_formatter.PythonTypeName}'>");
        }
    }

    private RapBindingException TypeMismatch(ref MessagePackReader reader)
    {
        var value = MessagePackValue.Read(ref reader);
        return RapBindingException.TypeError($"argument '{Name}' must be {_formatter.PythonTypeName}, not {PythonFormat.TypeName(value.Kind)}");
    }
}
