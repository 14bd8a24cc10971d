using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Tests.Infrastructure;

/// <summary>
/// Drives our client through the operations the recorded Python client performed: calls (by name, with the
/// recorded argument values and user headers), generators, and channels (declare, messages, close).
/// </summary>
internal static class HeadTranscriptScript
{
    public static async Task<List<string>> RunAsync(RapClient client, HeadTranscriptReplayer replayer, string scenario, int? earlyBreakAfter)
    {
        var problems = new List<string>();
        var requests = replayer.Requests;
        var channels = new Dictionary<long, RapChannel>();
        var generators = new HashSet<long>();
        var session = scenario.StartsWith("session", StringComparison.Ordinal) ? client.BeginSession() : null;
        try
        {
            for (var i = 0; i < requests.Count; i++)
            {
                var request = requests[i];
                var target = request.Target;
                switch (request.Type)
                {
                    case 101:
                    {
                        var (group, name) = Split(target!);
                        var options = new RapCallOptions
                        {
                            Headers = UserHeaders(request.Header),
                            Deadline = request.Header.TryGetValue("X-rap-deadline", out _) ? DateTimeOffset.UtcNow.AddSeconds(30) : null,
                            Timeout = TimeSpan.FromSeconds(20),
                        };
                        var expected = replayer.ServerFramesFor(request.Id).FirstOrDefault();
                        try
                        {
                            var result = await client.InvokeAsync<MessagePackValue>(group, name, Args(request.Body), options);
                            if (expected is not null && !expected.Header.TryGetValue("status_code", out _) && !result.Equals(expected.Body))
                            {
                                problems.Add($"{target}: result {result} != recorded {expected.Body}");
                            }
                        }
                        catch (RapRemoteException ex)
                        {
                            if (expected is null || !expected.Header.TryGetValue("status_code", out var status) || status.AsInt64() != ex.StatusCode)
                            {
                                problems.Add($"{target}: unexpected {ex.GetType().Name} {ex.Message}");
                            }
                        }

                        break;
                    }

                    case 102 when request.LifeCycle == "DECLARE":
                    {
                        var (group, name) = Split(target!);
                        var later = requests.Skip(i + 1).Where(r => r.Id == request.Id).ToList();
                        var isGenerator = later.Count == 1 && later[0].LifeCycle == "MSG" && later[0].Body.Kind == MessagePackValueKind.Map
                            && (scenario.Contains("gen", StringComparison.Ordinal) || replayer.ServerFramesFor(request.Id).Any(f => f.LifeCycle == "DROP"));
                        if (isGenerator)
                        {
                            generators.Add(request.Id);
                            await RunGeneratorAsync(client, group, name, later[0].Body, replayer.ServerFramesFor(request.Id), earlyBreakAfter, problems);
                        }
                        else
                        {
                            try
                            {
                                channels[request.Id] = await client.OpenChannelAsync(group, name, request.Body);
                            }
                            catch (RapRemoteException)
                            {
                                // channel_unknown: the recorded server refused the DECLARE.
                            }
                        }

                        break;
                    }

                    case 102 when generators.Contains(request.Id):
                        break;
                    case 102 when request.LifeCycle == "MSG":
                        if (channels.TryGetValue(request.Id, out var channel))
                        {
                            await channel.WriteAsync(request.Body, UserHeaders(request.Header));
                        }

                        break;
                    case 102 when request.LifeCycle == "DROP":
                        if (channels.TryGetValue(request.Id, out var closing))
                        {
                            await closing.CloseAsync();
                        }

                        break;
                }
            }

            foreach (var channel in channels.Values)
            {
                await channel.Completion.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(static _ => { }, TaskScheduler.Default);
            }
        }
        finally
        {
            session?.Dispose();
        }

        return problems;
    }

    private static async Task RunGeneratorAsync(RapClient client, string group, string name, MessagePackValue args, IReadOnlyList<TranscriptEntry> recorded,
        int? earlyBreakAfter, List<string> problems)
    {
        var expected = recorded.Where(f => f.LifeCycle == "MSG").Select(f => f.Body).ToList();
        var items = new List<MessagePackValue>();
        try
        {
            await foreach (var item in client.StreamAsync<MessagePackValue>(group, name, Args(args)))
            {
                items.Add(item);
                if (earlyBreakAfter is { } limit && items.Count >= limit)
                {
                    break;
                }
            }
        }
        catch (RapRemoteException)
        {
            return;
        }

        var compare = earlyBreakAfter is { } n ? expected.Take(n).ToList() : expected;
        if (!items.SequenceEqual(compare))
        {
            problems.Add($"{group}/{name}: items [{string.Join(", ", items)}] != recorded [{string.Join(", ", compare)}]");
        }
    }

    private static RapArgs Args(MessagePackValue body) =>
        RapArgs.From(body.AsMap().Select(e => new KeyValuePair<string, object?>(e.Key.AsString(), e.Value)));

    private static IReadOnlyList<KeyValuePair<string, MessagePackValue>>? UserHeaders(MessagePackValue header)
    {
        var user = header.AsMap()
            .Where(e => e.Key.AsString() is not ("target" or "X-rap-deadline" or "channel_life_cycle"))
            .Select(e => new KeyValuePair<string, MessagePackValue>(e.Key.AsString(), e.Value))
            .ToList();
        return user.Count == 0 ? null : user;
    }

    private static (string Group, string Name) Split(string target)
    {
        var parts = target.Split('/');
        return (parts[1], parts[2]);
    }
}
