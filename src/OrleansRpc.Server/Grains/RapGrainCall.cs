using System.Buffers;

namespace OrleansRpc.Server;

/// <summary>One unary call handed to a function-group grain (in-process: references, no serialization).</summary>
public sealed class RapGrainCall
{
    public RapGrainCall(RapFunctionDescriptor function, RapCallContext context, RapArguments arguments, IBufferWriter<byte> output)
    {
        Function = function;
        Context = context;
        Arguments = arguments;
        Output = output;
    }

    public RapFunctionDescriptor Function { get; }

    public RapCallContext Context { get; }

    public RapArguments Arguments { get; }

    public IBufferWriter<byte> Output { get; }
}
