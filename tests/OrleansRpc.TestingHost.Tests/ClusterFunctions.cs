using System.Runtime.CompilerServices;
using Orleans.Runtime;
using OrleansRpc.MessagePack;
using OrleansRpc.Server;

namespace OrleansRpc.TestingHost.Tests;

/// <summary>Functions that say which silo ran them, with and without a session.</summary>
[RapGroup("cluster")]
public sealed class ClusterFunctions(ILocalSiloDetails silo)
{
    /// <summary>The silo of the function-group worker that ran the call.</summary>
    [RapFunction(Name = "silo")]
    public async Task<string> Silo()
    {
        string silo = CurrentSilo();
        await Task.Yield();
        return silo;
    }

    /// <summary>Stores <paramref name="put"/> in the session (when given) and answers "silo|value".</summary>
    [RapFunction(Name = "remember")]
    public async Task<string> Remember(RapSession session, string? put = null)
    {
        string silo = CurrentSilo();
        if (put is not null)
        {
            session.Items["value"] = put;
        }

        await Task.Yield();
        return silo + "|" + (session.Items.TryGetValue("value", out object? value) ? value : "");
    }

    /// <summary>A generator hosted by the session's grain: first the silo, then 0..n-1.</summary>
    [RapFunction(Name = "count")]
    public async IAsyncEnumerable<string> Count(RapSession session, long n, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _ = session;
        yield return CurrentSilo();
        for (long i = 0; i < n; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (i % 50 == 0)
            {
                await Task.Yield();
            }

            yield return i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>A channel hosted by the session's grain: answers its silo first, then echoes every message in order.</summary>
    [RapFunction(Name = "echo")]
    public async Task Echo(IRapChannel channel, RapSession session)
    {
        _ = session;
        await channel.WriteAsync((MessagePackValue)CurrentSilo());
        await foreach (MessagePackValue message in channel)
        {
            await channel.WriteAsync(message);
        }
    }

    // Each silo registers its own instance of the group: the silo details are the silo that ran the function.
    private string CurrentSilo() => silo.SiloAddress.ToString();
}
