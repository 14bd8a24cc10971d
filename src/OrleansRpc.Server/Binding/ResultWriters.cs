using System.Buffers;
using OrleansRpc.MessagePack;
using OrleansRpc.Server.Formatters;

namespace OrleansRpc.Server.Binding;

/// <summary>Writes a function's result (after awaiting it when needed) straight into the caller's buffer.</summary>
internal static class ResultWriters
{
    public static ValueTask Nil(IBufferWriter<byte> output)
    {
        if (output is Dispatch.CallOutput guarded)
        {
            // The call may be answered (run timeout) while the function still runs: write under the guard.
            guarded.WriteLate<object?>(null, null);
            return default;
        }

        var writer = new MessagePackWriter(output);
        writer.WriteNil();
        writer.Flush();
        return default;
    }

    public static ValueTask Write<T>(T value, RapFormatter<T> formatter, IBufferWriter<byte> output)
    {
        if (output is Dispatch.CallOutput guarded)
        {
            guarded.WriteLate(value, formatter);
            return default;
        }

        var writer = new MessagePackWriter(output);
        formatter.Write(ref writer, value);
        writer.Flush();
        return default;
    }

    public static ValueTask AwaitTask(Task task, IBufferWriter<byte> output)
        => task.IsCompletedSuccessfully ? Nil(output) : AwaitTaskSlow(task, output);

    public static ValueTask AwaitTask<T>(Task<T> task, RapFormatter<T> formatter, IBufferWriter<byte> output)
        => task.IsCompletedSuccessfully ? Write(task.Result, formatter, output) : AwaitTaskSlow(task, formatter, output);

    public static ValueTask AwaitValueTask(ValueTask task, IBufferWriter<byte> output)
    {
        if (task.IsCompletedSuccessfully)
        {
            task.GetAwaiter().GetResult();
            return Nil(output);
        }

        return AwaitValueTaskSlow(task, output);
    }

    public static ValueTask AwaitValueTask<T>(ValueTask<T> task, RapFormatter<T> formatter, IBufferWriter<byte> output)
        => task.IsCompletedSuccessfully ? Write(task.Result, formatter, output) : AwaitValueTaskSlow(task, formatter, output);

    private static async ValueTask AwaitTaskSlow(Task task, IBufferWriter<byte> output)
    {
        await task.ConfigureAwait(false);
        Late<object?>(null, null, output);
    }

    private static async ValueTask AwaitTaskSlow<T>(Task<T> task, RapFormatter<T> formatter, IBufferWriter<byte> output)
        => Late(await task.ConfigureAwait(false), formatter, output);

    private static async ValueTask AwaitValueTaskSlow(ValueTask task, IBufferWriter<byte> output)
    {
        await task.ConfigureAwait(false);
        Late<object?>(null, null, output);
    }

    private static async ValueTask AwaitValueTaskSlow<T>(ValueTask<T> task, RapFormatter<T> formatter, IBufferWriter<byte> output)
        => Late(await task.ConfigureAwait(false), formatter, output);

    // After an await the call may have been answered already (run timeout): go through the guard.
    private static void Late<T>(T value, RapFormatter<T>? formatter, IBufferWriter<byte> output)
    {
        if (output is Dispatch.CallOutput guarded)
        {
            guarded.WriteLate(value, formatter);
        }
        else if (formatter is null)
        {
            Nil(output);
        }
        else
        {
            Write(value, formatter, output);
        }
    }

    public static ValueTask Channel(Task task) => new(task);

    public static ValueTask Channel(ValueTask task) => task;

    public static ValueTask ChannelVoid() => default;
}
