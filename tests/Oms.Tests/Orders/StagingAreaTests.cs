using Oms.Orders;

namespace Oms.Tests.Orders;

/// <summary>The staging rule (订单暂存区) for one order, at an explicit moment.</summary>
public sealed class StagingAreaTests
{
    private static readonly DateTime Now = new(2025, 6, 1, 8, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Buffer = TimeSpan.FromMinutes(10);

    private static StagingFacts Paid(DateTime arrived, DateTime? paid = null) =>
        new(OrderStatus.Active, false, false, ProcessStatus.Unconfirmed, PayStatus.Paid, false, arrived, paid ?? arrived);

    private static StagingVerdict At(StagingFacts f, DateTime? now = null) => StagingArea.Evaluate(f, Buffer, now ?? Now);

    [Fact]
    public void A_paid_order_waits_the_buffer_and_is_released_exactly_at_its_end()
    {
        var arrived = Now.AddMinutes(-3);
        var verdict = At(Paid(arrived));
        Assert.Equal(StagingHold.Buffer, verdict.Hold);
        Assert.Equal(arrived.AddMinutes(10), verdict.Until);
        Assert.False(verdict.Dispatchable);
        Assert.True(verdict.InStagingArea);

        Assert.Equal(StagingHold.Buffer, At(Paid(arrived), arrived.AddMinutes(10).AddTicks(-1)).Hold);
        Assert.True(At(Paid(arrived), arrived.AddMinutes(10)).Dispatchable);
        Assert.True(At(Paid(Now.AddHours(-1))).Dispatchable);
    }

    [Fact]
    public void The_buffer_counts_from_the_later_of_arrival_and_payment()
    {
        var arrived = Now.AddHours(-2);
        var paid = Now.AddMinutes(-1);
        Assert.Equal((StagingHold.Buffer, paid.AddMinutes(10)), (At(Paid(arrived, paid)).Hold, At(Paid(arrived, paid)).Until));
        // a payment time before arrival (an order that came in paid) counts from arrival
        var late = Now.AddMinutes(-2);
        Assert.Equal(late.AddMinutes(10), At(Paid(late, late.AddDays(-1))).Until);
        Assert.True(StagingArea.Evaluate(Paid(late), TimeSpan.Zero, Now).Dispatchable);
    }

    [Theory]
    [InlineData(PayStatus.Unpaid, StagingHold.Unpaid)]
    [InlineData(PayStatus.PartlyPaid, StagingHold.Unpaid)]
    [InlineData(PayStatus.Paying, StagingHold.Unpaid)]
    [InlineData(PayStatus.RefundApplied, StagingHold.Refunding)]
    [InlineData(PayStatus.Refunding, StagingHold.Refunding)]
    [InlineData(PayStatus.FullyRefunded, StagingHold.FullyRefunded)]
    [InlineData(PayStatus.Paid, StagingHold.None)]
    [InlineData(PayStatus.Processing, StagingHold.None)]
    [InlineData(PayStatus.PartlyRefunded, StagingHold.None)]
    public void Non_cod_orders_wait_for_payment_and_for_a_refund_to_settle(PayStatus pay, StagingHold expected)
    {
        var facts = Paid(Now.AddDays(-1)) with { PayStatus = pay, PaidAt = null };
        var verdict = At(facts);
        Assert.Equal(expected, verdict.Hold);
        Assert.Null(verdict.Until);
    }

    [Theory]
    [InlineData(PayStatus.Unpaid, StagingHold.None)]
    [InlineData(PayStatus.Paying, StagingHold.None)]
    [InlineData(PayStatus.Refunding, StagingHold.Refunding)]
    public void Cod_orders_need_no_payment_but_still_wait_for_a_refund(PayStatus pay, StagingHold expected)
    {
        var facts = Paid(Now.AddDays(-1)) with { PayStatus = pay, PaidAt = null, IsCod = true };
        Assert.Equal(expected, At(facts).Hold);
        // a fresh COD order is buffered from its arrival
        var fresh = facts with { ArrivedAt = Now.AddMinutes(-1) };
        Assert.Equal(expected == StagingHold.None ? StagingHold.Buffer : expected, At(fresh).Hold);
    }

    [Fact]
    public void A_refund_in_progress_wins_over_the_buffer_and_unpaid_wins_over_the_buffer()
    {
        var fresh = Paid(Now.AddMinutes(-1));
        Assert.Equal(StagingHold.Refunding, At(fresh with { PayStatus = PayStatus.Refunding }).Hold);
        Assert.Equal(StagingHold.Unpaid, At(fresh with { PayStatus = PayStatus.Unpaid, PaidAt = null }).Hold);
    }

    [Fact]
    public void Orders_outside_the_staging_area_say_what_keeps_them_out()
    {
        var old = Paid(Now.AddDays(-1));
        Assert.Equal(StagingHold.NotActive, At(old with { Status = OrderStatus.Dead }).Hold);
        Assert.Equal(StagingHold.NotActive, At(old with { Status = OrderStatus.Finish }).Hold);
        Assert.Equal(StagingHold.Failed, At(old with { IsFail = true }).Hold);
        Assert.Equal(StagingHold.NotUnconfirmed, At(old with { ProcessStatus = ProcessStatus.Confirmed }).Hold);
        Assert.Equal(StagingHold.Paused, At(old with { Pause = true }).Hold);
        Assert.All(new[] { StagingHold.NotActive, StagingHold.Failed, StagingHold.NotUnconfirmed, StagingHold.Paused },
            h => Assert.False(new StagingVerdict(h).InStagingArea || new StagingVerdict(h).Dispatchable));
    }
}
