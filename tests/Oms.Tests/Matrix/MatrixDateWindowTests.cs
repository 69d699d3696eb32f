using Oms.Integration.Matrix;

namespace Oms.Tests.Matrix;

public sealed class MatrixDateWindowTests
{
    // 2025-03-01 12:00:00 China time
    private static readonly DateTime Now = new(2025, 3, 1, 4, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("2025-03-01 12:00:00")]
    [InlineData("2025-03-01 11:50:00")]
    [InlineData("2025-03-01 12:10:00")]
    [InlineData(" 2025-03-01 12:09:59 ")]
    public void Inside_the_window_including_its_edges(string date) => Assert.True(MatrixDateWindow.Contains(date, Now));

    [Theory]
    [InlineData("2025-03-01 11:49:59")]
    [InlineData("2025-03-01 12:10:01")]
    [InlineData("2025-03-01 04:00:00")] // the same instant written in UTC is 8 h off
    [InlineData("2025-03-01 12:00")]
    [InlineData("2025-03-01")]
    [InlineData("1740801600")] // unix seconds are not the date format of §2
    [InlineData("2025/03/01 12:00:00")]
    [InlineData("garbage")]
    [InlineData("")]
    [InlineData(null)]
    public void Outside_malformed_or_missing(string? date) => Assert.False(MatrixDateWindow.Contains(date, Now));
}
