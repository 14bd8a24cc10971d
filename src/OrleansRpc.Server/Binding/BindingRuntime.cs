using OrleansRpc.MessagePack;

namespace OrleansRpc.Server.Binding;

/// <summary>The non-generic steps of argument binding, called from compiled invokers. Error texts are rap's, exactly.</summary>
internal static class BindingRuntime
{
    /// <summary>HEAD body: a map of name → value.</summary>
    public static int HeadBegin(ref MessagePackReader reader)
    {
        var type = reader.NextMessagePackType;
        if (type == MessagePackType.Map)
        {
            return reader.ReadMapHeader();
        }

        var value = MessagePackValue.Read(ref reader);
        throw RapBindingException.Parse($"argument after ** must be a mapping, not {PythonFormat.TypeName(value.Kind)}");
    }

    public static int HeadMatch(ref MessagePackReader reader, ParameterKeyTable table, ref string? firstUnknown)
    {
        var index = table.Match(ref reader, out var key);
        if (index < 0)
        {
            firstUnknown ??= key;
            reader.Skip();
        }

        return index;
    }

    public static Exception HeadMissing(string name) => RapBindingException.Parse($"missing a required argument: '{name}'");

    public static void HeadCheckUnknown(string? firstUnknown)
    {
        if (firstUnknown is not null)
        {
            throw RapBindingException.Parse($"got an unexpected keyword argument '{firstUnknown}'");
        }
    }

    /// <summary>0.5.3.8 <c>param</c>: exactly one value per parameter without a default.</summary>
    public static void LegacyBeginPositional(ref MessagePackReader reader, int required, string functionName)
    {
        if (reader.End || reader.IsNil)
        {
            if (!reader.End)
            {
                reader.ReadNil();
            }

            if (required != 0)
            {
                throw RapBindingException.Parse($"{functionName} takes {required} positional arguments but 0 were given");
            }

            return;
        }

        if (reader.NextMessagePackType != MessagePackType.Array)
        {
            throw RapBindingException.RunTime();
        }

        var count = reader.ReadArrayHeader();
        if (count != required)
        {
            throw RapBindingException.Parse($"{functionName} takes {required} positional arguments but {count} were given");
        }
    }

    public static int LegacyBeginDefaults(ref MessagePackReader reader, bool present)
    {
        if (!present || reader.End || reader.TryReadNil())
        {
            return 0;
        }

        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            throw RapBindingException.RunTime();
        }

        return reader.ReadMapHeader();
    }

    public static int LegacyMatch(ref MessagePackReader reader, ParameterKeyTable table, ref List<string>? unknown)
    {
        var index = table.Match(ref reader, out var key);
        if (index < 0)
        {
            (unknown ??= []).Add(key!);
            reader.Skip();
        }

        return index;
    }

    public static void LegacyCheckUnknown(List<string>? unknown, string functionName)
    {
        if (unknown is not null)
        {
            throw RapBindingException.Parse($"{functionName} can not find default param name:{PythonFormat.SetRepr(unknown)}");
        }
    }
}
