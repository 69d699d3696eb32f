using System.Globalization;
using System.Text;
using Oms.Regions;

namespace Oms.Simulators.Shop;

/// <summary>Knobs of <see cref="OrderGenerator"/>; rates are probabilities per order (or per line).</summary>
public sealed record OrderGeneratorOptions
{
    /// <summary><c>order_bn</c> = prefix + an 8-digit counter starting at <see cref="FirstNumber"/>.</summary>
    public string Prefix { get; init; } = "SIM";
    public long FirstNumber { get; init; } = 1;
    /// <summary>Object lines per order, gift lines included (both equal = a fixed count, e.g. 3 for the benchmark).</summary>
    public int MinLines { get; init; } = 1;
    public int MaxLines { get; init; } = 5;
    public int MaxQuantity { get; init; } = 3;
    /// <summary>An order of two or more lines gets a gift as its last line (needs a gift in the catalog).</summary>
    public double GiftRate { get; init; } = 0.15;
    public double CodRate { get; init; } = 0.05;
    /// <summary>Unpaid (pay_status 0) orders among the non-COD ones.</summary>
    public double UnpaidRate { get; init; } = 0.10;
    public double InvoiceRate { get; init; } = 0.10;
    public double BuyerMessageRate { get; init; } = 0.20;
    public double SellerMemoRate { get; init; } = 0.10;
    /// <summary>Per line: a line promotion (<c>pmt_price</c>).</summary>
    public double LinePromotionRate { get; init; } = 0.15;
    /// <summary>Per order: an order promotion (<c>pmt_order</c>, with a <c>pmt_detail</c> entry).</summary>
    public double OrderPromotionRate { get; init; } = 0.20;
    public double DiscountRate { get; init; } = 0.05;
    public double FreightRate { get; init; } = 0.30;
    /// <summary>Where "now" comes from: <c>createtime</c> is 10 minutes to 2 hours before it.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>What <see cref="OrderGenerator.Update(OrderPush, UpdateKind)"/> changes.</summary>
public enum UpdateKind { Any, Memo, BuyerMessage, Address, Lines }

/// <summary>
/// Generates realistic <c>ome.order.add</c> pushes and their follow-ups, deterministically: the same
/// seed, catalog, options and clock give the same sequence. Not thread-safe (it owns one
/// <see cref="Random"/>): use one generator per worker (with distinct prefixes), or share one under a lock.
/// </summary>
public sealed class OrderGenerator
{
    private readonly SimCatalog _catalog;
    private readonly OrderGeneratorOptions _o;
    private readonly Random _random;
    private long _next;
    private long _serial;

    public OrderGenerator(SimCatalog catalog, OrderGeneratorOptions? options = null, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
        _o = options ?? new OrderGeneratorOptions();
        if (_o.MinLines < 1 || _o.MaxLines < _o.MinLines) throw new ArgumentException("Lines: 1 ≤ MinLines ≤ MaxLines.", nameof(options));
        if (_o.MaxQuantity < 1) throw new ArgumentException("MaxQuantity must be at least 1.", nameof(options));
        _random = new Random(seed);
        _next = _o.FirstNumber;
    }

    public SimCatalog Catalog => _catalog;

    /// <summary>How many orders <see cref="Next"/> made.</summary>
    public long Generated => _next - _o.FirstNumber;

    private bool Chance(double p) => p > 0 && _random.NextDouble() < p;
    private T Pick<T>(IReadOnlyList<T> list) => list[_random.Next(list.Count)];
    private DateTime Now => TruncateToSecond(_o.Clock.GetUtcNow().UtcDateTime);
    private static DateTime TruncateToSecond(DateTime t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    /// <summary>A new order for a random shop. <paramref name="paid"/> forces paid (true) or unpaid non-COD (false).</summary>
    public OrderPush Next(bool? paid = null)
    {
        var number = _next++;
        var bn = _o.Prefix + number.ToString("00000000", CultureInfo.InvariantCulture);
        var shop = Pick(_catalog.Shops);
        var created = Now.AddSeconds(-_random.Next(600, 7200));
        var isCod = paid is null && Chance(_o.CodRate);
        var isPaid = paid ?? (!isCod && !Chance(_o.UnpaidRate));
        DateTime? paidAt = isPaid ? created.AddSeconds(_random.Next(5, 300)) : null;
        var modified = (paidAt ?? created).AddSeconds(_random.Next(0, 60));

        var member = NewMember();
        var consignee = Chance(0.8) ? NewConsignee(member.Name, member.Mobile) : NewConsignee(null, null);
        var lines = NewLines(bn);
        var costItem = 0m;
        foreach (var l in lines) costItem += l.Amount;
        var freight = Chance(_o.FreightRate) ? Pick<decimal>([6m, 8m, 10m, 12m, 15m]) : 0m;

        decimal pmtOrder = 0m;
        var pmtDescribe = "";
        if (costItem >= 60m && Chance(_o.OrderPromotionRate))
        {
            pmtOrder = costItem >= 200m ? 20m : costItem >= 100m ? 10m : 5m;
            pmtDescribe = Pick(ChineseData.OrderPromotions);
        }
        var discount = Chance(_o.DiscountRate) ? Math.Min(Math.Round((decimal)_random.Next(50, 500) / 100m, 2), Math.Max(0m, costItem - pmtOrder - 1m)) : 0m;
        lines = ShareOrderPromotion(lines, pmtOrder);

        var payName = isCod ? "货到付款" : Pick(["支付宝", "微信支付", "银联", "花呗"]);
        var order = new OrderModel
        {
            OrderBn = bn,
            PayStatus = isPaid ? 1 : 0,
            CreatedUtc = created,
            ModifiedUtc = modified,
            PaidUtc = paidAt,
            Consignee = consignee,
            Member = member,
            IsCod = isCod,
            ShippingName = Pick(["快递", "顺丰速运", "中通快递", "圆通速递", "韵达快递"]),
            CostFreight = freight,
            PmtOrder = pmtOrder,
            PmtOrderDescribe = pmtDescribe,
            Discount = discount,
            Lines = lines,
            CustomMark = Chance(_o.BuyerMessageRate) ? Pick(ChineseData.BuyerMessages) : "",
            MarkText = Chance(_o.SellerMemoRate) ? Pick(ChineseData.SellerMemos) : "",
            Invoice = Chance(_o.InvoiceRate) ? NewInvoice() : null,
            PayName = payName,
            TradeNo = isPaid ? TradeNo(paidAt!.Value) : "",
            PayAccount = isPaid ? member.Uname + "@" + (payName == "微信支付" ? "wx" : "alipay") : "",
        };
        if (order.MarkText.Length > 0) order = order with { MarkType = "b" + _random.Next(1, 6).ToString(CultureInfo.InvariantCulture) };
        return new OrderPush(shop, order);
    }

    /// <summary>
    /// A newer version of the order (<c>modified</c> + 1…30 s): a changed seller memo, buyer message,
    /// address, or — for unpaid orders only — changed lines or quantities.
    /// </summary>
    public OrderPush Update(OrderPush push, UpdateKind kind = UpdateKind.Any)
    {
        ArgumentNullException.ThrowIfNull(push);
        var o = push.Order;
        if (kind == UpdateKind.Any)
            kind = o.IsPaid ? Pick([UpdateKind.Memo, UpdateKind.BuyerMessage, UpdateKind.Address]) : Pick([UpdateKind.Memo, UpdateKind.Address, UpdateKind.Lines, UpdateKind.Lines]);
        if (kind == UpdateKind.Lines && o.IsPaid) throw new InvalidOperationException($"{o.OrderBn} is paid: a shop does not change the lines of a paid order.");
        var modified = Newer(o);
        o = kind switch
        {
            UpdateKind.Memo => o with { MarkText = NextText(ChineseData.SellerMemos, o.MarkText, "备注更新 " + _serial), MarkType = "b" + _random.Next(1, 6).ToString(CultureInfo.InvariantCulture) },
            UpdateKind.BuyerMessage => o with { CustomMark = NextText(ChineseData.BuyerMessages, o.CustomMark, "买家留言更新 " + _serial) },
            UpdateKind.Address => o with { Consignee = NewAddress(o.Consignee) },
            _ => ChangeLines(o),
        };
        return new OrderPush(push.Shop, o with { ModifiedUtc = modified });
    }

    /// <summary>True when <see cref="Cancel"/> may be used: unpaid (pay_status 0) and still active.</summary>
    public static bool CanCancel(OrderPush push) => push is { Order.PayStatus: 0, Order.Status: "active" };

    /// <summary>The shop cancels an unpaid order: <c>status=dead</c> with a newer <c>modified</c>.</summary>
    public OrderPush Cancel(OrderPush push)
    {
        ArgumentNullException.ThrowIfNull(push);
        if (!CanCancel(push)) throw new InvalidOperationException($"{push.Order.OrderBn}: only an active unpaid order is cancelled by the shop (a paid one goes through a refund).");
        return new OrderPush(push.Shop, push.Order with { Status = "dead", ModifiedUtc = Newer(push.Order) });
    }

    /// <summary>The buyer pays an unpaid, non-COD order: <c>pay_status=1</c>, <c>payed</c>, one payment, newer <c>modified</c>.</summary>
    public OrderPush Pay(OrderPush push)
    {
        ArgumentNullException.ThrowIfNull(push);
        var o = push.Order;
        if (o.IsPaid || o.IsCod || o.Status != "active") throw new InvalidOperationException($"{o.OrderBn} is not an unpaid active prepaid order.");
        var modified = Newer(o);
        return new OrderPush(push.Shop, o with { PayStatus = 1, PaidUtc = modified, ModifiedUtc = modified, TradeNo = TradeNo(modified), PayAccount = o.Member.Uname + "@alipay" });
    }

    /// <summary>The same push again: same fields; <paramref name="task"/> null = a fresh task id when sent.</summary>
    public static OrderPush Duplicate(OrderPush push, string? task = null)
    {
        ArgumentNullException.ThrowIfNull(push);
        return push with { Task = task };
    }

    // ---- the other ome.* methods (field names: src/Oms.Simulators/README.md) ----

    /// <summary><c>ome.order.status_update</c>: <c>order_bn</c>, <c>status=dead</c>, <c>modified</c>.</summary>
    public MatrixPush StatusUpdate(OrderPush push) => new(push.Shop, "ome.order.status_update", new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["order_bn"] = push.Order.OrderBn,
        ["status"] = "dead",
        ["modified"] = OrderFields.Time(Newer(push.Order)),
    });

    /// <summary>
    /// <c>ome.order.pay_status_update</c>: <c>order_bn</c>, <c>pay_status</c>, <c>payed</c> (the amount paid
    /// so far: the total when 1, 0 when 0/8), <c>paytime</c> (when paid), <c>modified</c>.
    /// </summary>
    public MatrixPush PayStatusUpdate(OrderPush push, int payStatus)
    {
        ArgumentNullException.ThrowIfNull(push);
        var modified = Newer(push.Order);
        var paid = payStatus is 1 or 2;
        return new(push.Shop, "ome.order.pay_status_update", new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["order_bn"] = push.Order.OrderBn,
            ["pay_status"] = OrderFields.Int(payStatus),
            ["payed"] = OrderFields.Money(paid ? push.Order.TotalAmount : payStatus == 3 ? Math.Round(push.Order.TotalAmount / 2, 2) : 0m),
            ["paytime"] = paid ? OrderFields.Time(modified) : "",
            ["modified"] = OrderFields.Time(modified),
        });
    }

    /// <summary><c>ome.order.memo_update</c>: <c>order_bn</c>, <c>mark_text</c> (seller memo), <c>mark_type</c>, <c>modified</c>.</summary>
    public MatrixPush MemoUpdate(OrderPush push, string? memo = null)
    {
        ArgumentNullException.ThrowIfNull(push);
        return new(push.Shop, "ome.order.memo_update", new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["order_bn"] = push.Order.OrderBn,
            ["mark_text"] = memo ?? NextText(ChineseData.SellerMemos, push.Order.MarkText, "备注 " + _serial),
            ["mark_type"] = "b" + _random.Next(1, 6).ToString(CultureInfo.InvariantCulture),
            ["modified"] = OrderFields.Time(Newer(push.Order)),
        });
    }

    /// <summary><c>ome.order.custom_mark_update</c>: <c>order_bn</c>, <c>custom_mark</c> (buyer message), <c>modified</c>.</summary>
    public MatrixPush CustomMarkUpdate(OrderPush push, string? message = null)
    {
        ArgumentNullException.ThrowIfNull(push);
        return new(push.Shop, "ome.order.custom_mark_update", new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["order_bn"] = push.Order.OrderBn,
            ["custom_mark"] = message ?? NextText(ChineseData.BuyerMessages, push.Order.CustomMark, "留言 " + _serial),
            ["modified"] = OrderFields.Time(Newer(push.Order)),
        });
    }

    /// <summary>
    /// <c>ome.payment.add</c>: <c>order_bn</c>, <c>trade_no</c>, <c>money</c>, <c>paymethod</c>, <c>pay_time</c>,
    /// <c>account</c>, <c>pay_account</c>, <c>currency</c>, <c>memo</c> — the names of a <c>payments</c> entry.
    /// <paramref name="money"/> defaults to what is still unpaid.
    /// </summary>
    public MatrixPush PaymentAdd(OrderPush push, decimal? money = null)
    {
        ArgumentNullException.ThrowIfNull(push);
        var o = push.Order;
        var at = Newer(o);
        return new(push.Shop, "ome.payment.add", new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["order_bn"] = o.OrderBn,
            ["trade_no"] = TradeNo(at),
            ["money"] = OrderFields.Money(money ?? (o.TotalAmount - o.Payed)),
            ["paymethod"] = o.IsCod ? "货到付款" : o.PayName,
            ["pay_time"] = OrderFields.Time(at),
            ["account"] = o.Member.Uname,
            ["pay_account"] = o.Member.Uname + "@alipay",
            ["currency"] = "CNY",
            ["memo"] = "",
        });
    }

    // ---- building blocks ----

    private DateTime Newer(OrderModel o) => o.ModifiedUtc.AddSeconds(_random.Next(1, 31));

    private string NextText(string[] choices, string current, string fallback)
    {
        _serial++;
        for (var i = 0; i < 4; i++)
        {
            var t = Pick(choices);
            if (t != current) return t;
        }
        return fallback;
    }

    private string TradeNo(DateTime at)
    {
        var sb = new StringBuilder(28);
        sb.Append(at.AddHours(8).ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        for (var i = 0; i < 20; i++) sb.Append((char)('0' + _random.Next(10)));
        return sb.ToString();
    }

    private string Digits(int n)
    {
        Span<char> c = stackalloc char[n];
        for (var i = 0; i < n; i++) c[i] = (char)('0' + _random.Next(10));
        return new string(c);
    }

    private string PersonName()
    {
        var given = Pick(ChineseData.GivenChars) + (Chance(0.7) ? Pick(ChineseData.GivenChars) : "");
        return Pick(ChineseData.Surnames) + given;
    }

    private string Mobile() => "1" + (char)('3' + _random.Next(7)) + Digits(9);

    private Member NewMember()
    {
        const string letters = "abcdefghijklmnopqrstuvwxyz";
        var sb = new StringBuilder("tb_", 16);
        for (var i = 0; i < 6; i++) sb.Append(letters[_random.Next(letters.Length)]);
        sb.Append(Digits(4));
        var uname = sb.ToString();
        return new Member(uname, PersonName(), Mobile(), Chance(0.3) ? uname + "@qq.com" : "");
    }

    private Consignee NewConsignee(string? name, string? mobile)
    {
        var c = NewAddress(null);
        return c with
        {
            Name = name ?? PersonName(),
            Mobile = mobile ?? Mobile(),
            Telephone = Chance(0.1) ? "0" + _random.Next(10, 999).ToString(CultureInfo.InvariantCulture) + "-" + Digits(8) : "",
            Email = "",
            ReceiveTime = Pick(ChineseData.ReceiveTimes),
        };
    }

    /// <summary>A new address in a random province (keeps the person of <paramref name="of"/>).</summary>
    private Consignee NewAddress(Consignee? of)
    {
        var province = Pick(ChinaRegions.Provinces);
        var (city, districts) = Pick(ChineseData.CitiesOf(province));
        var district = Pick(districts);
        var street = Pick(ChineseData.Roads) + Pick(ChineseData.Streets);
        var addr = string.Create(CultureInfo.InvariantCulture,
            $"{Pick(ChineseData.Roads)}路{_random.Next(1, 999)}号{Pick(ChineseData.Estates)}{_random.Next(1, 30)}幢{_random.Next(1, 6)}单元{_random.Next(1, 33)}0{_random.Next(1, 5)}室");
        var zip = (_random.Next(10, 86) * 10000 + _random.Next(0, 100) * 100).ToString("000000", CultureInfo.InvariantCulture);
        return of is null
            ? new Consignee("", province.Name, city, district, street, addr, zip, "", "", "", "")
            : of with { Province = province.Name, City = city, District = district, Street = street, Addr = addr, Zip = zip };
    }

    private InvoiceRequest NewInvoice()
    {
        var title = Pick(ChineseData.InvoiceTitles);
        // a unified social credit code is 18 characters; a person has none
        return new InvoiceRequest(title, title == "个人" ? "" : "91" + Digits(6) + "MA" + Digits(7) + (char)('A' + _random.Next(26)));
    }

    private List<OrderLine> NewLines(string bn)
    {
        var count = _random.Next(_o.MinLines, _o.MaxLines + 1);
        var gift = count >= 2 && _catalog.Gifts.Length > 0 && Chance(_o.GiftRate);
        var goodsCount = gift ? count - 1 : count;
        var lines = new List<OrderLine>(count);
        var goods = _catalog.Goods;
        // distinct materials while the catalog has enough: start anywhere, step through it
        var start = _random.Next(goods.Length);
        for (var i = 0; i < goodsCount; i++)
        {
            var item = goods[(start + i) % goods.Length];
            lines.Add(NewLine(bn, i, item));
        }
        if (gift) lines.Add(new OrderLine(bn + "-" + (count).ToString(CultureInfo.InvariantCulture), Pick(_catalog.Gifts), "gift", 0m, 1, 0m));
        return lines;
    }

    private OrderLine NewLine(string bn, int index, SalesItem item)
    {
        var qty = _random.Next(1, _o.MaxQuantity + 1);
        var pmt = Chance(_o.LinePromotionRate) ? Math.Round(item.Price * qty * _random.Next(5, 21) / 100m, 2) : 0m;
        return new OrderLine(bn + "-" + (index + 1).ToString(CultureInfo.InvariantCulture), item, item.Parts.Count > 0 ? "pkg" : "goods", item.Price, qty, pmt);
    }

    /// <summary>Spreads <c>pmt_order</c> over the paid lines by amount; the last one takes the rounding.</summary>
    private static List<OrderLine> ShareOrderPromotion(List<OrderLine> lines, decimal pmtOrder)
    {
        var total = 0m;
        var last = -1;
        for (var i = 0; i < lines.Count; i++)
            if (lines[i].Amount > 0) { total += lines[i].Amount; last = i; }
        var left = pmtOrder;
        for (var i = 0; i < lines.Count; i++)
        {
            var share = 0m;
            if (pmtOrder > 0 && lines[i].Amount > 0) share = i == last ? left : Math.Round(pmtOrder * lines[i].Amount / total, 2);
            left -= share;
            lines[i] = lines[i] with { OrderShare = share };
        }
        return lines;
    }

    private OrderModel ChangeLines(OrderModel o)
    {
        var lines = new List<OrderLine>(o.Lines.Count + 1);
        foreach (var l in o.Lines) lines.Add(l with { OrderShare = 0m });
        var goodsIdx = lines.FindIndex(l => !l.IsGift);
        if (Chance(0.5) || lines.Count >= _o.MaxLines)
        {
            // change a quantity
            var l = lines[goodsIdx];
            var qty = l.Quantity >= _o.MaxQuantity ? Math.Max(1, l.Quantity - 1) : l.Quantity + 1;
            if (qty == l.Quantity) qty = l.Quantity + 1;
            lines[goodsIdx] = l with { Quantity = qty, PmtPrice = Math.Min(l.PmtPrice, l.Price * qty) };
        }
        else
        {
            // the buyer adds another item (before the gift line, which stays last)
            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach (var l in lines) used.Add(l.Oid);
            var n = lines.Count + 1;
            string oid;
            do oid = o.OrderBn + "-" + (n++).ToString(CultureInfo.InvariantCulture); while (used.Contains(oid));
            var item = Pick(_catalog.Goods);
            var line = NewLine(o.OrderBn, 0, item) with { Oid = oid };
            var at = lines.Count > 0 && lines[^1].IsGift ? lines.Count - 1 : lines.Count;
            lines.Insert(at, line);
        }
        var costItem = 0m;
        foreach (var l in lines) costItem += l.Amount;
        var pmtOrder = Math.Min(o.PmtOrder, Math.Max(0m, costItem - 1m));
        var discount = Math.Min(o.Discount, Math.Max(0m, costItem - pmtOrder - 1m));
        return o with { Lines = ShareOrderPromotion(lines, pmtOrder), PmtOrder = pmtOrder, Discount = discount };
    }
}
