namespace OrleansRpc.LoadGenerator;

/// <summary>What each in-flight slot of a connection does over and over.</summary>
public enum Workload
{
    /// <summary><c>[101, id, {"target": "/default/sum"}, {"a": 1, "b": 2}]</c>, answer checked to be 3 (or, with a payload, <c>echo_bytes</c>).</summary>
    Unary,

    /// <summary>A HEAD async generator: channel DECLARE, a MSG with <c>{"n": items}</c>, items until DROP.</summary>
    Generator,

    /// <summary>One echo channel per connection with <c>in-flight</c> MSGs outstanding on it (answers in order).</summary>
    Channel,

    /// <summary>Nine unary calls for every generator (of <c>--gen-items</c> items, 100 by default).</summary>
    Mixed,
}
