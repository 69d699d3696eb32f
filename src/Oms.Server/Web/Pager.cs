using Microsoft.AspNetCore.Http.Extensions;
using Oms.Common;

namespace Oms.Server.Web;

/// <summary>
/// Links of a keyset-paged list (partial <c>_Pager</c>): the current query string with
/// <c>before=&lt;id&gt;</c> for the next page, without it for the first. Filters are kept.
/// </summary>
public sealed record Pager(int Count, string? NextUrl, string? FirstUrl)
{
    public static Pager For<T>(HttpRequest request, KeysetPage<T> page)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(page);
        var kept = request.Query.Where(q => q.Key != "before").ToList();
        string Url(long? before)
        {
            var qb = new QueryBuilder(kept);
            if (before is { } b) qb.Add("before", b.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return request.Path + qb.ToQueryString().ToString();
        }
        return new Pager(page.Items.Count, page.NextBefore is null ? null : Url(page.NextBefore),
            request.Query.ContainsKey("before") ? Url(null) : null);
    }
}
