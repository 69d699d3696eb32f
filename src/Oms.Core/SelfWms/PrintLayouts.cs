using System.Collections;
using System.Globalization;
using System.Net;
using System.Text;
using Oms.Common;

namespace Oms.SelfWms;

/// <summary>
/// The print layouts: HTML files a merchant may edit, <c>{doc}.{layout}.html</c> (doc = stock, delivery, express;
/// layout = <c>a4</c> or <c>label</c> for 100×150 mm) in <c>print-layouts/</c> beside the executable (found from
/// <see cref="AppContext.BaseDirectory"/>) or in the folder <c>Oms:Print:LayoutDirectory</c> names. A missing label
/// layout falls back to A4. The files use a small mustache subset: <c>{{name}}</c> (HTML-escaped), <c>{{{name}}}</c>
/// (raw: the SVG barcodes), <c>{{#list}}…{{/list}}</c> (repeat / if), <c>{{^name}}…{{/name}}</c> (if not), dotted names
/// (<c>{{t.title}}</c>: the translated labels the host passes in <c>t</c>).
/// </summary>
public sealed class PrintLayouts(string directory)
{
    public static readonly IReadOnlyList<string> Layouts = ["a4", "label"];

    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "print-layouts");

    public string Directory { get; } = directory;

    public string Render(PrintSheet sheet, string? layout, IReadOnlyDictionary<string, string> texts)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        var l = Layouts.Contains(layout ?? "") ? layout! : "a4";
        var path = Path.Combine(Directory, $"{sheet.Doc.Name()}.{l}.html");
        if (!File.Exists(path)) path = Path.Combine(Directory, $"{sheet.Doc.Name()}.a4.html");
        if (!File.Exists(path)) throw new DomainException($"找不到打印模板 {path}");
        return Template.Render(File.ReadAllText(path), Model(sheet, texts));
    }

    /// <summary>The names a layout may use.</summary>
    public static Dictionary<string, object?> Model(PrintSheet sheet, IReadOnlyDictionary<string, string> texts)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        string N(int n) => n.ToString(CultureInfo.InvariantCulture);
        return new Dictionary<string, object?>
        {
            ["t"] = texts.ToDictionary(kv => kv.Key, kv => (object?)kv.Value),
            ["batch_no"] = sheet.BatchNo,
            ["doc"] = sheet.Doc.Name(),
            ["branch_bn"] = sheet.BranchBn,
            ["branch_name"] = sheet.BranchName,
            ["print_time"] = ChinaTime.ToText(sheet.PrintedAt),
            ["delivery_count"] = N(sheet.Deliveries.Count),
            ["item_total"] = N(sheet.PickList.Sum(p => p.Number)),
            ["pick_list"] = sheet.PickList.Select(p => new Dictionary<string, object?>
            {
                ["bn"] = p.Bn, ["name"] = p.Name, ["barcode"] = p.Barcode, ["number"] = N(p.Number), ["positions"] = p.Positions,
                ["barcode_svg"] = Barcodes.Svg(string.IsNullOrEmpty(p.Barcode) ? p.Bn : p.Barcode, 160, 28),
            }).ToList(),
            ["deliveries"] = sheet.Deliveries.Select(d => new Dictionary<string, object?>
            {
                ["code"] = d.Code, ["position"] = N(d.Position), ["delivery_bn"] = d.DeliveryBn, ["status"] = d.Status,
                ["cancelled"] = d.Status == "cancel",
                ["delivery_bn_svg"] = Barcodes.Svg(d.DeliveryBn), ["logi_no_svg"] = Barcodes.Svg(d.LogiNo, 300, 60),
                ["logi_code"] = d.LogiCode, ["logi_name"] = d.LogiName, ["logi_no"] = d.LogiNo,
                ["shop_name"] = d.ShopName, ["order_bns"] = string.Join(", ", d.OrderBns),
                ["ship_name"] = d.ShipName, ["ship_mobile"] = d.ShipMobile, ["ship_tel"] = d.ShipTel, ["ship_area"] = d.ShipArea,
                ["ship_addr"] = d.ShipAddr, ["ship_zip"] = d.ShipZip, ["is_cod"] = d.IsCod,
                ["total_amount"] = Money.ToText(d.TotalAmount), ["weight"] = Money.ToText(d.Weight), ["item_num"] = N(d.ItemNum), ["memo"] = d.Memo,
                ["items"] = d.Lines.Select(i => new Dictionary<string, object?>
                {
                    ["bn"] = i.Bn, ["name"] = i.Name, ["barcode"] = i.Barcode, ["number"] = N(i.Number),
                }).ToList(),
            }).ToList(),
        };
    }
}

/// <summary>A small mustache subset (variables, raw variables, sections, inverted sections), nothing executable.</summary>
public static class Template
{
    public static string Render(string template, IReadOnlyDictionary<string, object?> model)
    {
        ArgumentNullException.ThrowIfNull(template);
        var pos = 0;
        var nodes = Parse(template, ref pos, null);
        var sb = new StringBuilder(template.Length * 2);
        Write(sb, nodes, [model]);
        return sb.ToString();
    }

    private abstract record Node;
    private sealed record Text(string Value) : Node;
    private sealed record Var(string Name, bool Raw) : Node;
    private sealed record Section(string Name, bool Inverted, List<Node> Body) : Node;

    private static List<Node> Parse(string t, ref int pos, string? closing)
    {
        var nodes = new List<Node>();
        while (pos < t.Length)
        {
            var open = t.IndexOf("{{", pos, StringComparison.Ordinal);
            if (open < 0) { nodes.Add(new Text(t[pos..])); pos = t.Length; break; }
            if (open > pos) nodes.Add(new Text(t[pos..open]));
            var raw = open + 2 < t.Length && t[open + 2] == '{';
            var end = t.IndexOf(raw ? "}}}" : "}}", open, StringComparison.Ordinal);
            if (end < 0) throw new DomainException($"打印模板第 {open} 个字符处的 {{{{ 没有结束");
            var tag = t[(open + (raw ? 3 : 2))..end].Trim();
            pos = end + (raw ? 3 : 2);
            if (raw) { nodes.Add(new Var(tag, true)); continue; }
            if (tag.Length == 0) continue;
            switch (tag[0])
            {
                case '#' or '^':
                    var name = tag[1..].Trim();
                    nodes.Add(new Section(name, tag[0] == '^', Parse(t, ref pos, name)));
                    break;
                case '/':
                    if (tag[1..].Trim() != closing) throw new DomainException($"打印模板的 {{{{{tag}}}}} 与打开的段落不匹配");
                    return nodes;
                case '!':
                    break;
                default:
                    nodes.Add(new Var(tag, false));
                    break;
            }
        }
        if (closing is not null) throw new DomainException($"打印模板的段落 {closing} 没有 {{{{/{closing}}}}}");
        return nodes;
    }

    private static void Write(StringBuilder sb, List<Node> nodes, List<object?> stack)
    {
        foreach (var n in nodes)
        {
            switch (n)
            {
                case Text x: sb.Append(x.Value); break;
                case Var v:
                    var text = Format(Lookup(stack, v.Name));
                    sb.Append(v.Raw ? text : WebUtility.HtmlEncode(text));
                    break;
                case Section s:
                    var value = Lookup(stack, s.Name);
                    var items = value switch
                    {
                        null or false or "" => [],
                        string or IReadOnlyDictionary<string, object?> => [value],
                        true => [null],
                        IEnumerable e => e.Cast<object?>().ToList(),
                        _ => new List<object?> { value },
                    };
                    if (s.Inverted)
                    {
                        if (items.Count == 0) Write(sb, s.Body, stack);
                        break;
                    }
                    foreach (var item in items)
                    {
                        if (item is not null) stack.Add(item);
                        Write(sb, s.Body, stack);
                        if (item is not null) stack.RemoveAt(stack.Count - 1);
                    }
                    break;
            }
        }
    }

    private static object? Lookup(List<object?> stack, string name)
    {
        if (name == ".") return stack[^1];
        var parts = name.Split('.');
        for (var i = stack.Count - 1; i >= 0; i--)
        {
            if (stack[i] is not IReadOnlyDictionary<string, object?> frame || !frame.TryGetValue(parts[0], out var v)) continue;
            foreach (var p in parts.Skip(1))
                v = v is IReadOnlyDictionary<string, object?> d && d.TryGetValue(p, out var next) ? next : null;
            return v;
        }
        return null;
    }

    private static string Format(object? v) => v switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
