using Microsoft.AspNetCore.Mvc;
using Oms.Admin;
using Oms.Common;
using Oms.Deliveries;
using Oms.SelfWms;
using Oms.Server.Web;

namespace Oms.Server.Pages.SelfWms;

/// <summary>
/// 校验/发货 scan station, built for a barcode gun: one input that always has the focus; Enter submits. Scan a waybill or
/// delivery number → the delivery's lines; scan items (each +1) → when complete, scan the waybill again or press Enter
/// on the empty input to ship (or ship at once with "auto consign"), then the next parcel. 整单校验 verifies everything
/// at once. Rules live in <see cref="VerifyService"/> and <see cref="FloorConsign"/>.
/// </summary>
[RequirePermission(Permissions.DeliveryOperate)]
public sealed class SelfWmsStationModel(VerifyService verify, FloorConsign consign) : AdminPageModel
{
    public VerifyState? State { get; private set; }
    public bool? Ok { get; private set; }
    public string? Message { get; private set; }
    public bool Auto { get; private set; }

    public async Task OnGetAsync(long? delivery, bool auto, CancellationToken ct)
    {
        Auto = auto;
        if (delivery is { } id) State = await verify.StateAsync(id, ct);
    }

    public async Task<IActionResult> OnPostScanAsync(string? code, long? delivery, bool auto, CancellationToken ct)
    {
        Auto = auto;
        var c = (code ?? "").Trim();
        var actor = Actor ?? "admin";
        try
        {
            var current = delivery is { } id ? await verify.StateAsync(id, ct) : null;
            if (current is not null && current.Delivery.Status == DeliveryStatus.Shipped) current = null;
            if (current is null)
            {
                if (c.Length == 0) return Page();
                State = await verify.OpenAsync(c, ct);
                Say(true, "SelfWms.Station.Opened", State.Delivery.DeliveryBn);
                return Page();
            }
            var isParcel = c.Length == 0 || c == current.Delivery.DeliveryBn || c == current.Delivery.LogiNo;
            if (current.Complete && isParcel) return await ShipAsync(current, actor, ct);
            if (isParcel)
            {
                State = current;
                Say(c.Length > 0, "SelfWms.Station.KeepScanning", current.Total - current.Scanned);
                return Page();
            }
            if (current.Complete)
            {
                // the next parcel while this one waits verified
                State = await verify.OpenAsync(c, ct);
                Say(true, "SelfWms.Station.Opened", State.Delivery.DeliveryBn);
                return Page();
            }
            State = await verify.ScanAsync(current.Delivery.Id, c, actor, ct);
            if (State.Complete && Auto) return await ShipAsync(State, actor, ct);
            Say(true, State.Complete ? "SelfWms.Station.Complete" : "SelfWms.Station.Scanned", c);
        }
        catch (Exception e) when (e is DomainException or ValidationException)
        {
            State ??= delivery is { } id2 ? await verify.StateAsync(id2, ct) : null;
            if (State?.Delivery.Status == DeliveryStatus.Shipped) State = null;
            Ok = false;
            Message = e.Message;
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAllAsync(long delivery, bool auto, CancellationToken ct)
    {
        Auto = auto;
        try
        {
            State = await verify.VerifyAllAsync(delivery, Actor ?? "admin", ct);
            if (Auto) return await ShipAsync(State, Actor ?? "admin", ct);
            Say(true, "SelfWms.Station.Complete", State.Delivery.DeliveryBn);
        }
        catch (DomainException e)
        {
            State = await verify.StateAsync(delivery, ct);
            Ok = false;
            Message = e.Message;
        }
        return Page();
    }

    private async Task<IActionResult> ShipAsync(VerifyState state, string actor, CancellationToken ct)
    {
        try
        {
            var r = await consign.ConsignAsync(state.Delivery.Id, null, null, actor, ct);
            State = null;
            Say(true, "SelfWms.Station.Shipped", r.Delivery.DeliveryBn, r.Delivery.LogiNo ?? "");
        }
        catch (DomainException e)
        {
            State = await verify.StateAsync(state.Delivery.Id, ct);
            Ok = false;
            Message = e.Message;
        }
        return Page();
    }

    private void Say(bool ok, string key, params object[] args)
    {
        Ok = ok;
        var l = HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<SharedResource>>();
        Message = l[key, args];
    }
}
