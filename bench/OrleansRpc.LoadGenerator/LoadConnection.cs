using System.Diagnostics;
using System.Net.Sockets;
using OrleansRpc.MessagePack;
using OrleansRpc.Protocol.Frames;

namespace OrleansRpc.LoadGenerator;

/// <summary>
/// One connection driven by one thread: DECLARE, then up to <c>in-flight</c> requests outstanding, a new one sent
/// for each answer (all sends of one receive batch go out in one write), answers matched to their slot by
/// correlation id. Ids are odd like rap's: <c>2 × (sequence × (slots + 1) + slot) + 1</c>, so the slot is the id's
/// residue and stays unique among outstanding requests; residue <c>slots</c> is for DECLARE and pings.
/// </summary>
public sealed class LoadConnection : IDisposable
{
    private const byte Idle = 0;
    private const byte UnaryBusy = 1;
    private const byte GeneratorDeclaring = 2;
    private const byte GeneratorStreaming = 3;
    private const byte GeneratorFailed = 4;
    private static readonly long s_pingPeriod = RunClock.ToTicks(2);

    private readonly LoadOptions _options;
    private readonly RequestTemplates _templates;
    private readonly RunClock _clock;
    private readonly FrameSocket _socket;
    private readonly int _slots;
    private readonly uint _modulus;
    private readonly uint _sequenceLimit;
    private readonly long[] _started;
    private readonly byte[] _state;
    private readonly uint[] _ids;
    private readonly int[] _free;
    private readonly long[] _fifo; // channel workload: send times of outstanding MSGs, in order
    private int _fifoHead;
    private int _fifoCount;
    private uint _channelId;
    private int _freeCount;
    private uint _sequence;
    private long _operations;
    private long _nextPing;
    private long _totalCompleted;

    public LoadConnection(LoadOptions options, RunClock clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _clock = clock;
        _socket = new FrameSocket(options.EndPoint, Math.Max(64 * 1024, (options.PayloadBytes * 2) + 1024));
        _templates = new RequestTemplates(options, _socket.LocalPort);
        _slots = options.Workload == Workload.Channel ? 1 : options.InFlight;
        _modulus = (uint)_slots + 1;
        _sequenceLimit = (uint)(int.MaxValue / 2 / _modulus);
        _started = new long[_slots];
        _state = new byte[_slots];
        _ids = new uint[_slots];
        _free = new int[_slots];
        for (int i = 0; i < _slots; i++)
        {
            _free[i] = _slots - 1 - i;
        }

        _freeCount = _slots;
        _fifo = new long[options.InFlight];
    }

    public LatencyHistogram Histogram { get; } = new();

    /// <summary>Calls (unary answers, finished generators, channel echoes) completed inside the measured window.</summary>
    public long Completed { get; private set; }

    /// <summary>Generator items received inside the measured window.</summary>
    public long Items { get; private set; }

    public long Errors { get; private set; }

    /// <summary>Completions since the start, warm-up included (read from another thread for the allocation figure).</summary>
    public long TotalCompleted => Volatile.Read(ref _totalCompleted);

    public string? Failure { get; private set; }

    /// <summary>Sends DECLARE (and the echo channel's DECLARE) and waits for the answers.</summary>
    public void Handshake()
    {
        uint declareId = NextId((int)_slots);
        _templates.Declare.AppendTo(_socket.Output, declareId);
        _socket.Flush();
        WaitFor(HeadMessageType.ClientEvent, declareId);
        if (_options.Workload == Workload.Channel)
        {
            _channelId = NextId(0);
            _templates.ChannelDeclare.AppendTo(_socket.Output, _channelId);
            _socket.Flush();
            WaitFor(HeadMessageType.Channel, _channelId);
        }
    }

    public void Run()
    {
        try
        {
            RunLoop();
        }
        catch (Exception ex) when (ex is SocketException or InvalidDataException or MessagePackSerializationException or EndOfStreamException)
        {
            Errors++;
            Failure = ex.Message;
        }
    }

    private void RunLoop()
    {
        bool sending = true;
        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            if (sending && now >= _clock.MeasureEnd)
            {
                sending = false;
                _socket.ReceiveTimeoutMilliseconds = 3_000;
            }

            if (sending)
            {
                StartOperations(now);
            }

            if (_options.ClientPings && now >= _nextPing)
            {
                // rap's client: three pings per round, a round every 1–3 s.
                for (int i = 0; i < 3; i++)
                {
                    _templates.Ping.AppendTo(_socket.Output, NextId(_slots));
                }

                _nextPing = now + s_pingPeriod;
            }

            if (_socket.Output.WrittenCount > 0)
            {
                _socket.Flush();
            }

            if (!sending && (Outstanding == 0 || now >= _clock.DrainEnd))
            {
                return;
            }

            if (!_socket.Receive())
            {
                throw new InvalidDataException("the server closed the connection");
            }

            now = Stopwatch.GetTimestamp();
            while (_socket.TryTakeFrame(out ReadOnlyMemory<byte> frame))
            {
                OnFrame(ResponseFrame.Read(frame), now);
            }
        }
    }

    private int Outstanding => _options.Workload == Workload.Channel ? _fifoCount : _slots - _freeCount;

    private void StartOperations(long now)
    {
        if (_options.Workload == Workload.Channel)
        {
            while (_fifoCount < _fifo.Length)
            {
                _fifo[(_fifoHead + _fifoCount) % _fifo.Length] = now;
                _fifoCount++;
                _templates.ChannelMessage.AppendTo(_socket.Output, _channelId);
            }

            return;
        }

        while (_freeCount > 0)
        {
            int slot = _free[--_freeCount];
            uint id = NextId(slot);
            _ids[slot] = id;
            _started[slot] = now;
            bool generator = _options.Workload == Workload.Generator
                || (_options.Workload == Workload.Mixed && (_operations % 10) == 9);
            _operations++;
            if (generator)
            {
                _state[slot] = GeneratorDeclaring;
                _templates.GeneratorDeclare.AppendTo(_socket.Output, id);
            }
            else
            {
                _state[slot] = UnaryBusy;
                _templates.Call.AppendTo(_socket.Output, id);
            }
        }
    }

    private void OnFrame(in ResponseFrame frame, long now)
    {
        switch (frame.MessageType)
        {
            case HeadMessageType.Message:
                OnCallAnswer(frame, now);
                break;
            case HeadMessageType.Channel:
                if (_options.Workload == Workload.Channel)
                {
                    OnEcho(frame, now);
                }
                else
                {
                    OnGeneratorFrame(frame, now);
                }

                break;
            case HeadMessageType.ServerEvent:
                OnServerEvent(frame);
                break;
            default:
                break; // 103: DECLARE and ping answers
        }
    }

    private void OnCallAnswer(in ResponseFrame frame, long now)
    {
        if (!TrySlot(frame.Id, out int slot) || _state[slot] != UnaryBusy)
        {
            return;
        }

        bool ok = !frame.HasStatus && (!_templates.ExpectThree || (frame.Body.Length == 1 && frame.Body[0] == 3));
        Complete(slot, now, ok);
    }

    private void OnGeneratorFrame(in ResponseFrame frame, long now)
    {
        if (!TrySlot(frame.Id, out int slot))
        {
            return;
        }

        byte state = _state[slot];
        if (frame.HasStatus)
        {
            if (state == GeneratorDeclaring)
            {
                Complete(slot, now, ok: false); // refused: no DROP follows
            }
            else if (state == GeneratorStreaming)
            {
                _state[slot] = GeneratorFailed; // a 301 is followed by DROP
            }

            return;
        }

        switch (frame.LifeCycle)
        {
            case LifeCycle.Declare when state == GeneratorDeclaring:
                _state[slot] = GeneratorStreaming;
                _templates.GeneratorParameters.AppendTo(_socket.Output, _ids[slot]);
                break;
            case LifeCycle.Message when state == GeneratorStreaming:
                if (_clock.InWindow(now))
                {
                    Items++;
                }

                break;
            case LifeCycle.Drop when state is GeneratorStreaming or GeneratorFailed:
                Complete(slot, now, ok: state == GeneratorStreaming);
                break;
            default:
                break;
        }
    }

    private void OnEcho(in ResponseFrame frame, long now)
    {
        if (frame.Id != _channelId)
        {
            return;
        }

        if (frame.HasStatus || frame.LifeCycle != LifeCycle.Message || _fifoCount == 0)
        {
            throw new InvalidDataException("the echo channel ended or failed");
        }

        long started = _fifo[_fifoHead];
        _fifoHead = (_fifoHead + 1) % _fifo.Length;
        _fifoCount--;
        Record(started, now, ok: true);
    }

    private void OnServerEvent(in ResponseFrame frame)
    {
        if (frame.Target.EndsWith("/ping"u8))
        {
            // The client answers a server ping with the same id and target.
            var writer = new MessagePackWriter(_socket.Output);
            writer.WriteArrayHeader(4);
            writer.Write(HeadMessageType.ServerEvent);
            writer.Write(frame.Id);
            writer.WriteMapHeader(1);
            writer.Write("target");
            writer.Write("/_event/ping");
            writer.Write(string.Empty);
            writer.Flush();
        }
        else if (!frame.Target.IsEmpty)
        {
            throw new InvalidDataException("the server sent " + System.Text.Encoding.UTF8.GetString(frame.Target));
        }
    }

    private void Complete(int slot, long now, bool ok)
    {
        _state[slot] = Idle;
        _free[_freeCount++] = slot;
        Record(_started[slot], now, ok);
    }

    private void Record(long started, long now, bool ok)
    {
        Volatile.Write(ref _totalCompleted, _totalCompleted + 1);
        if (!ok)
        {
            Errors++;
            return;
        }

        if (_clock.InWindow(now))
        {
            Completed++;
            Histogram.Record(RunClock.ToNanoseconds(now - started));
        }
    }

    private bool TrySlot(long id, out int slot)
    {
        slot = (int)((((ulong)id - 1) / 2) % _modulus);
        return id > 0 && slot < _slots && _ids[slot] == (uint)id && _state[slot] != Idle;
    }

    private uint NextId(int slot)
    {
        _sequence = _sequence + 1 >= _sequenceLimit ? 0 : _sequence + 1;
        return (uint)((((ulong)_sequence * _modulus) + (uint)slot) * 2) + 1;
    }

    private void WaitFor(int messageType, uint id)
    {
        while (true)
        {
            while (_socket.TryTakeFrame(out ReadOnlyMemory<byte> frame))
            {
                ResponseFrame answer = ResponseFrame.Read(frame);
                if (answer.MessageType == messageType && answer.Id == id)
                {
                    if (answer.HasStatus)
                    {
                        throw new InvalidDataException($"the server refused the handshake (msg_type {messageType})");
                    }

                    return;
                }

                if (answer.MessageType == HeadMessageType.ServerEvent)
                {
                    OnServerEvent(answer);
                    _socket.Flush();
                }
            }

            if (!_socket.Receive())
            {
                throw new InvalidDataException("the server closed the connection during the handshake");
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
