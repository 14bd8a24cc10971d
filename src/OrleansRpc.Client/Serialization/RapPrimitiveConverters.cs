using System.Buffers;
using OrleansRpc.MessagePack;

namespace OrleansRpc.Client.Serialization;

/// <summary>Converters for the scalar types. Integers go out in the smallest form, doubles always as float64 (§1.4).</summary>
internal static class RapPrimitiveConverters
{
    public sealed class Boolean : RapConverter<bool>
    {
        public override void Write(ref MessagePackWriter writer, bool value) => writer.Write(value);

        public override bool Read(ref MessagePackReader reader) => reader.ReadBoolean();
    }

    public sealed class SByte : RapConverter<sbyte>
    {
        public override void Write(ref MessagePackWriter writer, sbyte value) => writer.Write(value);

        public override sbyte Read(ref MessagePackReader reader) => reader.ReadSByte();
    }

    public sealed class Byte : RapConverter<byte>
    {
        public override void Write(ref MessagePackWriter writer, byte value) => writer.Write(value);

        public override byte Read(ref MessagePackReader reader) => reader.ReadByte();
    }

    public sealed class Int16 : RapConverter<short>
    {
        public override void Write(ref MessagePackWriter writer, short value) => writer.Write(value);

        public override short Read(ref MessagePackReader reader) => reader.ReadInt16();
    }

    public sealed class UInt16 : RapConverter<ushort>
    {
        public override void Write(ref MessagePackWriter writer, ushort value) => writer.Write(value);

        public override ushort Read(ref MessagePackReader reader) => reader.ReadUInt16();
    }

    public sealed class Int32 : RapConverter<int>
    {
        public override void Write(ref MessagePackWriter writer, int value) => writer.Write(value);

        public override int Read(ref MessagePackReader reader) => reader.ReadInt32();
    }

    public sealed class UInt32 : RapConverter<uint>
    {
        public override void Write(ref MessagePackWriter writer, uint value) => writer.Write(value);

        public override uint Read(ref MessagePackReader reader) => reader.ReadUInt32();
    }

    public sealed class Int64 : RapConverter<long>
    {
        public override void Write(ref MessagePackWriter writer, long value) => writer.Write(value);

        public override long Read(ref MessagePackReader reader) => reader.ReadInt64();
    }

    public sealed class UInt64 : RapConverter<ulong>
    {
        public override void Write(ref MessagePackWriter writer, ulong value) => writer.Write(value);

        public override ulong Read(ref MessagePackReader reader) => reader.ReadUInt64();
    }

    public sealed class Single : RapConverter<float>
    {
        // Python only knows float64; a float32 is widened so the other side sees the same number.
        public override void Write(ref MessagePackWriter writer, float value) => writer.Write((double)value);

        public override float Read(ref MessagePackReader reader) => reader.ReadSingle();
    }

    public sealed class Double : RapConverter<double>
    {
        public override void Write(ref MessagePackWriter writer, double value) => writer.Write(value);

        public override double Read(ref MessagePackReader reader) => reader.ReadDouble();
    }

    public sealed class String : RapConverter<string?>
    {
        public override void Write(ref MessagePackWriter writer, string? value) => writer.Write(value);

        public override string? Read(ref MessagePackReader reader) => reader.ReadString();
    }

    public sealed class Bytes : RapConverter<byte[]?>
    {
        public override void Write(ref MessagePackWriter writer, byte[]? value)
        {
            if (value is null)
            {
                writer.WriteNil();
            }
            else
            {
                writer.Write(value.AsSpan());
            }
        }

        public override byte[]? Read(ref MessagePackReader reader)
        {
            // Python str and bytes are distinct, but a str where bytes were expected is still usable as UTF-8.
            if (reader.NextMessagePackType == MessagePackType.String)
            {
                var text = reader.ReadStringSequence();
                return text?.ToArray();
            }

            return reader.ReadBytes()?.ToArray();
        }
    }

    public sealed class Memory : RapConverter<ReadOnlyMemory<byte>>
    {
        public override void Write(ref MessagePackWriter writer, ReadOnlyMemory<byte> value) => writer.Write(value.Span);

        public override ReadOnlyMemory<byte> Read(ref MessagePackReader reader) => reader.ReadBytes()?.ToArray() ?? default;
    }

    public sealed class Value : RapConverter<MessagePackValue>
    {
        public override void Write(ref MessagePackWriter writer, MessagePackValue value) => value.Write(ref writer);

        public override MessagePackValue Read(ref MessagePackReader reader) => MessagePackValue.Read(ref reader);
    }

    public sealed class Guid : RapConverter<System.Guid>
    {
        public override void Write(ref MessagePackWriter writer, System.Guid value) => writer.Write(value.ToString());

        public override System.Guid Read(ref MessagePackReader reader) => System.Guid.Parse(reader.ReadString() ?? string.Empty);
    }

    public sealed class Decimal : RapConverter<decimal>
    {
        public override void Write(ref MessagePackWriter writer, decimal value) => writer.Write((double)value);

        public override decimal Read(ref MessagePackReader reader) =>
            reader.NextMessagePackType == MessagePackType.Integer ? reader.ReadInt64() : (decimal)reader.ReadDouble();
    }
}
