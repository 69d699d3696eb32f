using Oms.Common;
using Oms.Integration.Matrix;

namespace Oms.Tests.Matrix;

/// <summary>A call's payload read once (<see cref="MatrixRequest.Payload{T}"/>): read ahead for batched calls, found read by the method.</summary>
public sealed class MatrixPayloadTests
{
    private static MatrixRequest Request(Dictionary<string, string> form) =>
        new("ome.order.add", new MatrixNode(MatrixNodeKinds.Shop, 1, "n1", "token", "taobao"), "task-1", form);

    [Fact]
    public void A_payload_is_read_once_and_a_refused_read_keeps_nothing()
    {
        var reads = 0;
        string Read(MatrixRequest r)
        {
            reads++;
            return r.RequiredText("order_bn", 32);
        }

        var request = Request(new Dictionary<string, string> { ["order_bn"] = "B1" });
        Assert.Same(request.Payload(Read), request.Payload(Read));
        Assert.Equal(1, reads);

        // refused every time it is read: the method refuses the call as it would without the read ahead
        var refused = Request([]);
        Assert.Throws<ValidationException>(() => refused.Payload(Read));
        Assert.Throws<ValidationException>(() => refused.Payload(Read));
        Assert.Equal(3, reads);
    }
}
