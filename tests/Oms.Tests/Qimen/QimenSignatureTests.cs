using System.Security.Cryptography;
using System.Text;
using Oms.Integration.Qimen;

namespace Oms.Tests.Qimen;

public class QimenSignatureTests
{
    private const string Secret = "sandbox-secret";
    private const string Body = """<?xml version="1.0" encoding="utf-8"?><request><deliveryOrder><deliveryOrderCode>D202506180001</deliveryOrderCode><status>DELIVERED</status><remark>已发货，顺丰</remark></deliveryOrder></request>""";

    private static Dictionary<string, string> Query() => new(StringComparer.Ordinal)
    {
        // deliberately not in sorted order
        ["v"] = "2.0",
        ["method"] = "taobao.qimen.deliveryorder.confirm",
        ["timestamp"] = "2025-06-18 12:00:00",
        ["customerId"] = "c1001",
        ["sign_method"] = "md5",
        ["format"] = "xml",
        ["app_key"] = "12345678",
    };

    private static string Md5Upper(string s) => Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(s)));

    [Fact]
    public void Sign_is_the_upper_md5_of_secret_sorted_pairs_body_secret()
    {
        // built by hand: keys in ordinal order, k+v, then the body, the secret around it all
        var byHand = Secret + "app_key12345678" + "customerIdc1001" + "formatxml" + "methodtaobao.qimen.deliveryorder.confirm"
                     + "sign_methodmd5" + "timestamp2025-06-18 12:00:00" + "v2.0" + Body + Secret;
        Assert.Equal(byHand, QimenSignature.Assemble(Query().Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)), Body, Secret));
        Assert.Equal(Md5Upper(byHand), QimenSignature.Sign(Query(), Body, Secret));
        // computed outside .NET (python hashlib.md5 over the UTF-8 bytes): the body's Chinese is hashed as UTF-8
        Assert.Equal("6A82983756FD5E51C4AD517BBFA71F17", QimenSignature.Sign(Query(), Body, Secret));
    }

    [Fact]
    public void Sign_and_empty_values_are_left_out()
    {
        var q = Query();
        var plain = QimenSignature.Sign(q, Body, Secret);
        q["sign"] = "WHATEVER";
        q["empty"] = "";
        Assert.Equal(plain, QimenSignature.Sign(q, Body, Secret));
        q["extra"] = "1";
        Assert.NotEqual(plain, QimenSignature.Sign(q, Body, Secret));
    }

    [Fact]
    public void Keys_sort_ordinally_upper_case_before_lower_case()
    {
        // a culture-aware sort would put "a" before "Z"; Qimen sorts the bytes
        var q = new Dictionary<string, string>(StringComparer.Ordinal) { ["a"] = "2", ["Z"] = "1" };
        Assert.Equal("kZ1a2<x/>k", QimenSignature.Assemble(q.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)), "<x/>", "k"));
        Assert.Equal("C98AB6E053DFD698681A8BF60E7AB667", QimenSignature.Sign(q, "<x/>", "k"));
    }

    [Fact]
    public void Verify_accepts_the_right_sign_in_any_case_and_refuses_changes()
    {
        var q = Query();
        q["sign"] = QimenSignature.Sign(q, Body, Secret).ToLowerInvariant();
        Assert.True(QimenSignature.Verify(q, Body, Secret));
        Assert.False(QimenSignature.Verify(q, Body + " ", Secret));
        Assert.False(QimenSignature.Verify(q, Body, Secret + "x"));
        Assert.False(QimenSignature.Verify(q, Body, ""));
        q["customerId"] = "c1002";
        Assert.False(QimenSignature.Verify(q, Body, Secret));
        q.Remove("sign");
        Assert.False(QimenSignature.Verify(q, Body, Secret));
        Assert.False(QimenSignature.Matches("", "ABC"));
    }

    [Fact]
    public void Built_query_carries_the_system_parameters_and_verifies()
    {
        var noon = new DateTime(2025, 6, 18, 4, 0, 0, DateTimeKind.Utc);
        var q = QimenQuery.Build(QimenMethods.DeliveryOrderCreate, "12345678", "c1001", noon, Body, Secret);
        Assert.Equal("taobao.qimen.deliveryorder.create", q["method"]);
        Assert.Equal("2025-06-18 12:00:00", q["timestamp"]);
        Assert.Equal(("2.0", "md5", "xml"), (q["v"], q["sign_method"], q["format"]));
        Assert.True(QimenSignature.Verify(q, Body, Secret));
        Assert.Contains("timestamp=2025-06-18%2012%3A00%3A00", QimenQuery.ToQueryString(q), StringComparison.Ordinal);
        Assert.Equal("http://h/qimen?x=1&method=m", QimenQuery.WithQuery("http://h/qimen?x=1", [new("method", "m")]).ToString());
    }
}
