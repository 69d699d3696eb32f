using System.Globalization;
using Oms.Common;

namespace Oms.Integration.OpenApi;

/// <summary>
/// The time window and keyset cursor of the <c>*.getList</c> methods that a merchant's sync polls (<c>orders.getList</c>,
/// <c>delivery.getList</c>): <c>start_time</c>..<c>end_time</c> inclusive, at most <see cref="MaxDays"/> days; paging by
/// <c>page_no</c>/<c>page_size</c> or by <c>cursor_id</c> (the previous answer's last id) with its <c>cursor_time</c> (that
/// row's exact sort time, so a row changed between two calls cannot make the walk skip others).
/// </summary>
public sealed record ListWindow(DateTime Start, DateTime End, int PageNo, int PageSize, long? CursorId, DateTime? CursorTime, string? CursorTimeText)
{
    public const int MaxDays = 31;
    public const int MaxPageSize = 1000;
    private const string CursorTimeFormat = "yyyy-MM-dd HH:mm:ss.fffffff";

    /// <param name="idName">what <c>cursor_id</c> is, for the refusal (e.g. "an order_id").</param>
    public static ListWindow Read(OpenApiRequest request, string idName)
    {
        ArgumentNullException.ThrowIfNull(request);
        var start = request.RequiredTime("start_time");
        var end = request.RequiredTime("end_time");
        if (end < start) throw OpenApiException.Params("end_time", "is before start_time");
        if (end - start > TimeSpan.FromDays(MaxDays))
            throw OpenApiException.Params("end_time", $"the window from start_time may span at most {MaxDays} days");
        var (pageNo, pageSize) = request.Paging(MaxPageSize);
        var cursorText = request.Optional("cursor_id");
        long? cursorId = null;
        if (cursorText is not null)
        {
            if (!long.TryParse(cursorText, NumberStyles.None, CultureInfo.InvariantCulture, out var c) || c <= 0)
                throw OpenApiException.Params("cursor_id", $"'{cursorText}' is not {idName}");
            if (pageNo != 1) throw OpenApiException.Params("page_no", "page by cursor_id or by page_no, not both");
            cursorId = c;
        }
        var cursorTimeText = request.Optional("cursor_time");
        DateTime? cursorTime = null;
        if (cursorTimeText is not null)
        {
            if (cursorId is null) throw OpenApiException.Params("cursor_time", "is only read together with cursor_id");
            if (!DateTime.TryParseExact(cursorTimeText, CursorTimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
                throw OpenApiException.Params("cursor_time", $"'{cursorTimeText}' is not a cursor_time this method answered");
            cursorTime = DateTime.SpecifyKind(local - ChinaTime.Offset, DateTimeKind.Utc);
        }
        return new ListWindow(start, end, pageNo, pageSize, cursorId, cursorTime, cursorTimeText);
    }

    /// <summary>Rows to skip: OFFSET paging only (a cursor starts after its row).</summary>
    public int Skip => CursorId is null ? (PageNo - 1) * PageSize : 0;

    /// <summary>The <c>cursor_time</c> to answer: the last row's sort time, or the one passed in when the page is empty.</summary>
    public string? AnswerCursorTime(DateTime? lastRowTime) =>
        lastRowTime is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc).Add(ChinaTime.Offset).ToString(CursorTimeFormat, CultureInfo.InvariantCulture) : CursorTimeText;
}

/// <summary>The answer of a windowed <c>*.getList</c>: the list shape plus the cursor (<c>cursor_id</c>, <c>cursor_time</c>, <c>has_more</c>).</summary>
public sealed record ListWindowAnswer(IReadOnlyList<object> Lists, long Count, long? CursorId, string? CursorTime, bool HasMore);
