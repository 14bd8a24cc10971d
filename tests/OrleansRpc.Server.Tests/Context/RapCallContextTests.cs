namespace OrleansRpc.Server.Tests.Context;

/// <summary>The call context keeps its facts in compact fields (one object per call): they read back as given.</summary>
public sealed class RapCallContextTests
{
    [Fact]
    public void The_deadline_reads_back_with_its_offset_and_is_null_when_not_given()
    {
        var deadline = new DateTimeOffset(2026, 11, 22, 8, 30, 15, 123, TimeSpan.FromHours(2)).AddTicks(4567);

        var context = new RapCallContext { Deadline = deadline };

        Assert.Equal(deadline, context.Deadline);
        Assert.Equal(deadline.Offset, context.Deadline!.Value.Offset);
        Assert.Equal(deadline.Ticks, context.Deadline.Value.Ticks);
        Assert.Null(new RapCallContext().Deadline);
        Assert.Null(new RapCallContext { Deadline = null }.Deadline);
    }
}
