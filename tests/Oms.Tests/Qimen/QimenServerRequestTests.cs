using Oms.Integration.Qimen;

namespace Oms.Tests.Qimen;

public class QimenServerRequestTests
{
    private static readonly DateTime Now = new(2025, 6, 18, 4, 0, 0, DateTimeKind.Utc); // 12:00 China time

    private static readonly QimenSecretLookup Secrets = (appKey, customerId, _) =>
        ValueTask.FromResult(appKey == "app-1" && customerId == "cust-9" ? "s3cret" : null);

    private static readonly string ConfirmBody = new QimenDeliveryOrderConfirmRequest
    {
        DeliveryOrder = new QimenConfirmedDeliveryOrder { DeliveryOrderCode = "D1", Status = QimenDeliveryStatus.Delivered, OperateTime = Now },
        Packages = [new QimenPackage { LogisticsCode = "SF", ExpressCode = "SF001", Weight = 1.5m, Items = [new("A", 2)] }],
        OrderLines = [new QimenConfirmLine { ItemCode = "A", ActualQty = 2 }],
    }.ToXml();

    private static Dictionary<string, string> Signed(string body, string method = QimenMethods.DeliveryOrderConfirm, DateTime? at = null, string secret = "s3cret", string appKey = "app-1") =>
        QimenQuery.Build(method, appKey, "cust-9", at ?? Now, body, secret);

    private static Task<QimenServerRequest> Read(Dictionary<string, string> query, string body) =>
        QimenServerRequest.ReadAsync(query, body, Secrets, Now);

    [Fact]
    public async Task A_signed_confirm_passes_and_is_parsed()
    {
        var r = await Read(Signed(ConfirmBody), ConfirmBody);
        Assert.True(r.IsValid, r.Failure?.Message);
        Assert.Equal((QimenMethods.DeliveryOrderConfirm, "app-1", "cust-9"), (r.Method, r.AppKey, r.CustomerId));
        Assert.Equal("SF001", Assert.Single(r.DeliveryOrderConfirm!.Packages).ExpressCode);
        Assert.Equal("request", r.Root!.Name.LocalName);
    }

    [Fact]
    public async Task Each_check_answers_its_own_failure_in_order()
    {
        async Task<string> Code(Dictionary<string, string> q, string body) => (await Read(q, body)).Failure?.Code ?? "ok";

        var missing = Signed(ConfirmBody);
        missing.Remove("timestamp");
        Assert.Equal(QimenErrorCodes.MissingParameter, await Code(missing, ConfirmBody));
        Assert.Contains("timestamp", (await Read(missing, ConfirmBody)).Failure!.Message, StringComparison.Ordinal);

        Assert.Equal(QimenErrorCodes.InvalidAppKey, await Code(Signed(ConfirmBody, appKey: "app-2"), ConfirmBody));
        // a bad sign is refused before the timestamp is looked at
        Assert.Equal(QimenErrorCodes.SignCheckFailure, await Code(Signed(ConfirmBody, secret: "wrong", at: Now.AddHours(1)), ConfirmBody));
        Assert.Equal(QimenErrorCodes.SignCheckFailure, await Code(Signed(ConfirmBody), ConfirmBody.Replace("SF001", "SF002", StringComparison.Ordinal)));

        Assert.Equal("ok", await Code(Signed(ConfirmBody, at: Now.AddMinutes(10)), ConfirmBody));
        Assert.Equal("ok", await Code(Signed(ConfirmBody, at: Now.AddMinutes(-10)), ConfirmBody));
        Assert.Equal(QimenErrorCodes.InvalidTimestamp, await Code(Signed(ConfirmBody, at: Now.AddMinutes(10).AddSeconds(1)), ConfirmBody));
        Assert.Equal(QimenErrorCodes.InvalidTimestamp, await Code(Signed(ConfirmBody, at: Now.AddMinutes(-11)), ConfirmBody));

        Assert.Equal(QimenErrorCodes.InvalidMethod, await Code(Signed(ConfirmBody, method: QimenMethods.DeliveryOrderCreate), ConfirmBody));

        const string notXml = "<request><deliveryOrder>";
        Assert.Equal(QimenErrorCodes.InvalidXml, await Code(Signed(notXml), notXml));
        var noStatus = ConfirmBody.Replace("<status>DELIVERED</status>", "", StringComparison.Ordinal);
        var refused = await Read(Signed(noStatus), noStatus);
        Assert.Equal(QimenErrorCodes.InvalidParameter, refused.Failure!.Code);
        Assert.Contains("request/deliveryOrder/status", refused.Failure.Message, StringComparison.Ordinal);
        Assert.Equal("failure", QimenResponse.Parse(refused.Failure.ToXml()).Flag);
    }

    [Fact]
    public async Task Other_methods_are_checked_but_only_the_root_is_parsed()
    {
        const string body = "<request><items><item><itemCode>A</itemCode></item></items></request>";
        var r = await QimenServerRequest.ReadAsync(Signed(body, QimenMethods.InventoryReport), body, Secrets, Now);
        Assert.True(r.IsValid);
        Assert.Null(r.DeliveryOrderConfirm);
        Assert.NotNull(r.Root);

        // a warehouse-side server supports the client methods instead
        var create = QimenXmlTests.SampleCreate().ToXml();
        var w = await QimenServerRequest.ReadAsync(Signed(create, QimenMethods.DeliveryOrderCreate), create, Secrets, Now,
            methods: new HashSet<string> { QimenMethods.DeliveryOrderCreate });
        Assert.True(w.IsValid);
    }
}
