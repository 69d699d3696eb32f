using Oms.Deliveries;
using Oms.Review;

namespace Oms.Server.Pages.Review;

/// <summary>What the review flags partial shows: every flag automatic review set, which of them block, and the detail text.</summary>
public sealed record ReviewFlagsView(ReviewFlags Flags, ReviewFlags Blocking, string? Detail = null)
{
    /// <summary>For a list that only knows <c>auto_status</c>: the default rule says which flags block.</summary>
    public static ReviewFlagsView FromAutoStatus(long autoStatus) =>
        new((ReviewFlags)autoStatus, (ReviewFlags)autoStatus & Oms.Rules.RuleDefaults.DefaultBlocking);

    /// <summary>The flags to show as tags, blocking ones first; "single order" says nothing and is left out.</summary>
    public IEnumerable<(ReviewFlags Flag, bool Blocks)> Tags =>
        ReviewFlagText.All.Where(f => f != ReviewFlags.Single && (Flags & f) != 0)
            .Select(f => (f, (Blocking & f) != 0)).OrderBy(t => t.Item2 ? 0 : 1);

    public bool IsEmpty => !Tags.Any() && string.IsNullOrEmpty(Detail);
}

/// <summary>Display helpers of the review and delivery screens (no rules: those live in Oms.Review and Oms.Deliveries).</summary>
public static class ReviewScreenText
{
    /// <summary>Resource key of a flag's readable reason (<c>Review.Flag.Store</c>).</summary>
    public static string FlagKey(ReviewFlags flag) => "Review.Flag." + flag;

    public static string StatusTag(DeliveryStatus s) => s switch
    {
        DeliveryStatus.Ready => "info",
        DeliveryStatus.Pause => "warn",
        DeliveryStatus.Shipped => "ok",
        _ => "bad",
    };

    /// <summary>Resource key of an own-WMS process status (0 new, 1 printed, 3 verified, 7 shipped).</summary>
    public static string ProcessKey(int processStatus) => "Deliveries.Process." + processStatus switch
    {
        DeliveryProcess.New => "New",
        DeliveryProcess.Printed => "Printed",
        DeliveryProcess.Verified => "Verified",
        DeliveryProcess.Shipped => "Shipped",
        _ => "New",
    };

    /// <summary>The documents printed so far, as resource keys (pick list, delivery note, waybill).</summary>
    public static IEnumerable<string> PrintKeys(PrintStatus p) =>
        new[] { PrintStatus.PickList, PrintStatus.DeliveryNote, PrintStatus.Waybill }.Where(x => (p & x) != 0).Select(x => "Deliveries.Print." + x);
}
