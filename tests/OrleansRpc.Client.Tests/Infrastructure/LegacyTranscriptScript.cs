using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Tests.Infrastructure;

/// <summary>Drives our client (v0.5.3.8 mode) through what the recorded 0.5.3.8 client did.</summary>
internal static class LegacyTranscriptScript
{
    public static async Task<List<string>> RunAsync(RapClient client, LegacyTranscriptReplayer replayer)
    {
        var problems = new List<string>();
        var requests = replayer.Requests;
        var channels = new Dictionary<string, RapChannel>(StringComparer.Ordinal);
        var sessions = new Dictionary<string, RapSession>(StringComparer.Ordinal);
        var generatorCallIds = new HashSet<long>();
        try
        {
            for (var i = 0; i < requests.Count; i++)
            {
                var request = requests[i];
                var group = request.Value[2].AsString();
                var name = request.Value[3].AsString();
                var header = request.Header;
                var sessionId = header.TryGetValue("session_id", out var s) ? s.AsString() : null;
                if (request.Type == 101)
                {
                    var callId = request.Body["call_id"].AsInt64();
                    if (callId != -1 && generatorCallIds.Contains(callId))
                    {
                        continue;
                    }

                    var args = Args(request.Body);
                    var answer = replayer.AnswerTo(request.Id);
                    if (name == "count_up")
                    {
                        await RunGeneratorAsync(client, replayer, requests, i, group, name, args, answer, generatorCallIds, problems);
                        continue;
                    }

                    var session = sessionId is null ? null : GetSession(client, sessions, sessionId);
                    try
                    {
                        var options = new RapCallOptions { Timeout = TimeSpan.FromSeconds(20) };
                        var result = session is null
                            ? await client.InvokeAsync<MessagePackValue>(group, name, args, options)
                            : await session.InvokeAsync<MessagePackValue>(group, name, args, options);
                        if (answer is not null && answer.Body.Kind == MessagePackValueKind.Map && answer.Body.TryGetValue("result", out var expected) && !expected.Equals(result))
                        {
                            problems.Add($"{group}/{name}: result {result} != recorded {expected}");
                        }
                    }
                    catch (RapRemoteException ex)
                    {
                        var expectedError = answer is not null && (answer.Header["status_code"].AsInt64() != 200 || answer.Body.Kind != MessagePackValueKind.Map || answer.Body.TryGetValue("exc_info", out _));
                        if (!expectedError)
                        {
                            problems.Add($"{group}/{name}: unexpected {ex.GetType().Name} {ex.Message}");
                        }
                    }

                    continue;
                }

                var channelId = header["channel_id"].AsString();
                switch (header["channel_life_cycle"].AsString())
                {
                    case "declare":
                        try
                        {
                            channels[channelId] = await client.OpenChannelAsync(group, name);
                        }
                        catch (RapRemoteException)
                        {
                        }

                        break;
                    case "MSG" when channels.TryGetValue(channelId, out var channel):
                        await channel.WriteAsync(request.Body);
                        break;
                    case "drop" when channels.TryGetValue(channelId, out var closing):
                        await closing.CloseAsync();
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
            foreach (var session in sessions.Values)
            {
                await session.DisposeAsync();
            }
        }

        return problems;
    }

    private static async Task RunGeneratorAsync(RapClient client, LegacyTranscriptReplayer replayer, IReadOnlyList<TranscriptEntry> requests, int start,
        string group, string name, RapArgs args, TranscriptEntry? first, HashSet<long> generatorCallIds, List<string> problems)
    {
        // Follow the recorded chain: the call_id the server handed out, item by item, until 301 or the client stopped.
        var expected = new List<MessagePackValue>();
        var exhausted = false;
        var answer = first;
        var position = start;
        while (answer is not null)
        {
            var status = answer.Header["status_code"].AsInt64();
            if (status == 301)
            {
                exhausted = true;
                break;
            }

            if (status != 200 || !answer.Body.TryGetValue("result", out var item))
            {
                exhausted = true;
                break;
            }

            expected.Add(item);
            var callId = answer.Body["call_id"].AsInt64();
            generatorCallIds.Add(callId);
            var nextIndex = -1;
            for (var j = position + 1; j < requests.Count; j++)
            {
                if (requests[j].Type == 101 && requests[j].Body["call_id"].AsInt64() == callId)
                {
                    nextIndex = j;
                    break;
                }
            }

            if (nextIndex < 0)
            {
                break;
            }

            position = nextIndex;
            answer = replayer.AnswerTo(requests[nextIndex].Id);
        }

        var items = new List<MessagePackValue>();
        try
        {
            await foreach (var item in client.StreamAsync<MessagePackValue>(group, name, args))
            {
                items.Add(item);
                if (!exhausted && items.Count >= expected.Count)
                {
                    break;
                }
            }
        }
        catch (RapRemoteException)
        {
            return;
        }

        if (!items.SequenceEqual(expected))
        {
            problems.Add($"{group}/{name}: items [{string.Join(", ", items)}] != recorded [{string.Join(", ", expected)}]");
        }
    }

    private static RapSession GetSession(RapClient client, Dictionary<string, RapSession> sessions, string recordedId)
    {
        if (!sessions.TryGetValue(recordedId, out var session))
        {
            session = client.CreateSession();
            sessions[recordedId] = session;
        }

        return session;
    }

    private static RapArgs Args(MessagePackValue body)
    {
        var args = RapArgs.PositionalOf([.. body["param"].AsArray().Select(v => (object?)v)]);
        foreach (var entry in body["default_param"].AsMap())
        {
            args = args.With(entry.Key.AsString(), entry.Value);
        }

        return args;
    }
}
