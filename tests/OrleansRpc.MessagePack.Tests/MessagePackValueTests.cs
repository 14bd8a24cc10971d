namespace OrleansRpc.MessagePack.Tests;

public class MessagePackValueTests
{
    [Fact]
    public void Accessors_AndConversions()
    {
        MessagePackValue body = MessagePackValue.FromMap(("a", 1), ("b", "two"), ("c", 2.5), ("d", true), ("e", new byte[] { 9 }), ("f", MessagePackValue.FromArray(1, 2)));
        Assert.Equal(MessagePackValueKind.Map, body.Kind);
        Assert.Equal(6, body.Count);
        Assert.Equal(1, body["a"].AsInt64());
        Assert.Equal("two", body["b"].AsString());
        Assert.Equal(2.5, body["c"].AsDouble());
        Assert.True(body["d"].AsBoolean());
        Assert.Equal(new byte[] { 9 }, body["e"].AsBinary().ToArray());
        Assert.Equal(2, body["f"][1].AsInt64());
        Assert.True(body.TryGetValue("a", out MessagePackValue a) && a.IsInteger);
        Assert.False(body.TryGetValue("zz", out _));
        Assert.Throws<KeyNotFoundException>(() => body["zz"]);
        Assert.Throws<InvalidOperationException>(() => body["a"].AsString());
        Assert.Throws<InvalidOperationException>(() => body["b"].AsInt64());
        Assert.Throws<InvalidOperationException>(() => body.AsArray());
        Assert.Throws<OverflowException>(() => MessagePackValue.FromInt64(-1).AsUInt64());
        Assert.Throws<OverflowException>(() => MessagePackValue.FromUInt64(ulong.MaxValue).AsInt64());
        Assert.True(MessagePackValue.Nil.IsNil);
        Assert.True(((MessagePackValue)(string?)null).IsNil);
        Assert.Equal(("a", "b"), (body.AsMap()[0].Key.AsString(), body.AsMap()[1].Key.AsString()));
        Assert.Equal((sbyte)-3, MessagePackValue.FromExtension(-3, new byte[] { 1 }).AsExtension().TypeCode);
    }

    [Fact]
    public void Equality_IsStructural()
    {
        MessagePackValue x = MessagePackValue.FromArray(1, "a", MessagePackValue.FromMap(("k", 2.0)));
        MessagePackValue y = MessagePackValue.Parse(x.ToArray());
        Assert.Equal(x, y);
        Assert.True(x == y);
        Assert.Equal(x.GetHashCode(), y.GetHashCode());
        Assert.NotEqual(x, MessagePackValue.FromArray(1, "a", MessagePackValue.FromMap(("k", 2.0f))));
        Assert.NotEqual(x, MessagePackValue.FromArray(1, "a", MessagePackValue.FromMap(("k", 2))));
        // Map order is part of the value (it is re-encoded as is).
        Assert.NotEqual(MessagePackValue.FromMap(("a", 1), ("b", 2)), MessagePackValue.FromMap(("b", 2), ("a", 1)));
        // str vs bin differ even with the same bytes.
        Assert.NotEqual(MessagePackValue.FromString("a"), MessagePackValue.FromBinary(new byte[] { 0x61 }));
        // A non-negative signed integer equals the unsigned one (same wire form).
        Assert.Equal(MessagePackValue.FromInt64(5), MessagePackValue.FromUInt64(5));
        Assert.Equal(MessagePackValue.FromInt64(5).GetHashCode(), MessagePackValue.FromUInt64(5).GetHashCode());
        Assert.NotEqual(MessagePackValue.FromInt64(-1), MessagePackValue.FromUInt64(ulong.MaxValue));
        Assert.NotEqual(MessagePackValue.FromExtension(1, new byte[] { 1 }), MessagePackValue.FromExtension(2, new byte[] { 1 }));
    }

    [Fact]
    public void ReEncoding_WhatPythonSent_IsByteIdentical()
    {
        // float 64 1.0 stays a float; float 32 stays float 32; str 8 used for 32..255 bytes; map order kept.
        string hex = "85-a1-62-cb-3f-f0-00-00-00-00-00-00-a1-61-ca-3f-80-00-00-a1-63-c4-01-00-a1-64-d9-20-"
            + string.Join("-", Enumerable.Repeat("78", 32)) + "-a1-65-d3-80-00-00-00-00-00-00-00";
        byte[] bytes = Hex.Parse(hex);
        MessagePackValue v = MessagePackValue.Parse(bytes);
        Assert.Equal(MessagePackValueKind.Float64, v["b"].Kind);
        Assert.Equal(MessagePackValueKind.Float32, v["a"].Kind);
        Assert.Equal(MessagePackValueKind.Binary, v["c"].Kind);
        Assert.Equal(hex, Hex.Format(v.ToArray()));
    }

    [Fact]
    public void ToString_IsJsonLike()
    {
        MessagePackValue v = MessagePackValue.FromArray(101, MessagePackValue.FromMap(("target", "/default/\"sum\"")), MessagePackValue.Nil, true, 1.5, new byte[] { 0xab }, MessagePackValue.FromUInt64(7));
        Assert.Equal("[101, {\"target\": \"/default/\\\"sum\\\"\"}, null, true, 1.5, b\"AB\", 7]", v.ToString());
    }
}
