namespace Oms.Simulators.Warehouse;

/// <summary>The two protocols the virtual warehouse speaks.</summary>
public static class WarehouseProtocol
{
    public const string Matrix = "matrix";
    public const string Qimen = "qimen";
}

/// <summary>
/// One request the warehouse received: matrix form fields (or Qimen query parameters and XML body), whether its
/// signature verified, and the answer text it gave (after <see cref="WarehouseBehavior.AnswerDelay"/>, if any;
/// <c>(no answer)</c> when it never answered).
/// </summary>
public sealed record WarehouseReceived(string Protocol, string Method, string OrderCode, IReadOnlyDictionary<string, string> Fields, string Body, bool SignOk, string Answer, DateTime ArrivedUtc)
{
    /// <summary>True when the answer was a success (<c>succ</c> / <c>success</c>).</summary>
    public bool Accepted => Answer.Contains("\"rsp\":\"succ\"", StringComparison.Ordinal) || Answer.Contains("<flag>success</flag>", StringComparison.Ordinal);
}

/// <summary>
/// One callback attempt the warehouse made to the OMS: <c>wms.delivery.status_update</c> (form in
/// <see cref="Fields"/>) or <c>taobao.qimen.deliveryorder.confirm</c> (query in <see cref="Fields"/>, XML in
/// <see cref="Body"/>), with the OMS's answer text (or the transport error) and whether it was a success.
/// </summary>
public sealed record WarehouseSent(string Protocol, string Method, string OrderCode, string Status, string Task, IReadOnlyDictionary<string, string> Fields, string Body, bool Ok, string Answer, int Attempt, DateTime SentUtc);

/// <summary>One line of a warehouse order: the item code and quantity.</summary>
public sealed record WarehouseLine(string ItemCode, int Quantity, string? ItemName = null, string? LineNo = null);

/// <summary>
/// An order as the warehouse holds it. <see cref="Status"/> is the last status reached (<c>NEW</c> before the first);
/// <see cref="LogiNo"/> is the waybill, given at DELIVERY.
/// </summary>
public sealed record WarehouseOrderState(
    string Protocol, string OrderCode, string WmsCode, string WarehouseCode, string LogisticsCode, string? LogiNo,
    string Status, bool Shipped, bool Cancelled, IReadOnlyList<WarehouseLine> Lines, DateTime CreatedUtc, DateTime? OperateUtc);
