using System.Globalization;

namespace Oms.Simulators.Warehouse;

public sealed partial class VirtualWarehouse
{
    /// <summary>An order and its progress; every change under <see cref="_gate"/>.</summary>
    private sealed class HeldOrder(string protocol, string code, string wmsCode, string warehouseCode, string logisticsCode,
        IReadOnlyList<WarehouseLine> lines, WarehouseBehavior behavior, DateTime createdUtc) : IDisposable
    {
        private readonly Lock _gate = new();
        private string? _logiNo;
        private string _status = "NEW";
        private bool _shipped;
        private bool _cancelled;
        private DateTime? _operateUtc;
        private volatile bool _done;
        private readonly CancellationTokenSource _wake = new();

        /// <summary>Cancelled when the order is: its pending wait ends at once.</summary>
        public CancellationToken CancelledToken => _wake.Token;

        public string Protocol { get; } = protocol;
        public string Code { get; } = code;
        public string WmsCode { get; } = wmsCode;
        public string WarehouseCode { get; } = warehouseCode;
        public string LogisticsCode { get; } = logisticsCode;
        public IReadOnlyList<WarehouseLine> Lines { get; } = lines;
        public WarehouseBehavior Behavior { get; } = behavior;
        public bool Done { get => _done; set => _done = value; }

        /// <summary>kg: half a kilo per piece.</summary>
        public decimal Weight => Lines.Sum(l => l.Quantity) * 0.5m;

        public string WeightText => Weight.ToString("0.000", CultureInfo.InvariantCulture);

        /// <summary>Moves to <paramref name="status"/>; false when the order was cancelled (nothing more happens to it).</summary>
        public bool TryAdvance(string status, Func<string> waybill, DateTime now)
        {
            lock (_gate)
            {
                if (_cancelled) return false;
                _status = status;
                _operateUtc = now;
                if (status is WmsStatus.Delivery or WmsStatus.Update) _logiNo ??= waybill();
                if (status == WmsStatus.Delivery) _shipped = true;
                if (status is WmsStatus.Close or WmsStatus.Failed && !_shipped) _cancelled = true;
                return true;
            }
        }

        /// <summary>Cancels unless shipped or refused; a second cancel of a cancelled order succeeds.</summary>
        public string? TryCancel(DateTime now)
        {
            lock (_gate)
            {
                if (_shipped) return $"{Code} has already been shipped (waybill {_logiNo}) and cannot be cancelled";
                if (Behavior.RefuseCancel) return $"{Code} cannot be cancelled (simulated refuse-cancel)";
                if (!_cancelled) _operateUtc = now;
                _cancelled = true;
            }
            _wake.Cancel();
            return null;
        }

        public void Dispose() => _wake.Dispose();

        public bool Cancelled
        {
            get { lock (_gate) return _cancelled; }
        }

        /// <summary>What a poll reports: DELIVERY once shipped, CLOSE (or FAILED) once cancelled, else the last status (NEW before any).</summary>
        public string ReportedStatus
        {
            get
            {
                lock (_gate)
                    return _shipped ? WmsStatus.Delivery : _cancelled ? (_status == WmsStatus.Failed ? WmsStatus.Failed : WmsStatus.Close) : _status;
            }
        }

        public WarehouseOrderState Snapshot()
        {
            lock (_gate)
                return new WarehouseOrderState(Protocol, Code, WmsCode, WarehouseCode, LogisticsCode, _logiNo, _status, _shipped, _cancelled, Lines, createdUtc, _operateUtc);
        }
    }

    /// <summary>The statuses an order goes through: its behaviour's list, the final one first when out of order, the final one twice when duplicated.</summary>
    internal static List<string> Steps(WarehouseBehavior behavior)
    {
        var steps = behavior.Statuses.ToList();
        if (steps.Count == 0) return steps;
        var final = steps[^1];
        if (behavior.OutOfOrder && steps.Count > 1)
        {
            steps.RemoveAt(steps.Count - 1);
            steps.Insert(0, final);
        }
        if (behavior.DuplicateCallbacks) steps.Insert(steps.IndexOf(final) + 1, final);
        return steps;
    }

    /// <summary>Creates the order unless it exists; starts its progress when new.</summary>
    private HeldOrder AddOrder(string protocol, string code, string warehouseCode, string logisticsCode, IReadOnlyList<WarehouseLine> lines, WarehouseBehavior behavior)
    {
        var created = false;
        var order = _orders.GetOrAdd(code, _ =>
        {
            created = true;
            return new HeldOrder(protocol, code, NewWmsCode(), warehouseCode, logisticsCode, lines, behavior, Now);
        });
        if (created && ReferenceEquals(_orders[code], order)) Spawn(ct => ProgressAsync(order, ct));
        return order;
    }

    private async Task ProgressAsync(HeldOrder order, CancellationToken ct)
    {
        try
        {
            var b = order.Behavior;
            var delay = b.Delay ?? _options.Delay;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct, order.CancelledToken);
            foreach (var status in Steps(b))
            {
                try
                {
                    await Task.Delay(delay, wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    break; // cancelled by the OMS: nothing more happens to it
                }
                if (!order.TryAdvance(status, () => NewWaybill(order.LogisticsCode), Now)) break;
                Changed();
                if (b.CallbacksOff) continue;
                if (order.Protocol == WarehouseProtocol.Matrix) await SendStatusAsync(order, status, ct).ConfigureAwait(false);
                else if (status == WmsStatus.Delivery) await SendConfirmAsync(order, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            order.Done = true;
            Changed();
        }
    }
}
