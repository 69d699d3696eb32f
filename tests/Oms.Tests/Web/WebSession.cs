using System.Net;
using System.Text.RegularExpressions;
using Oms.Tests.Infrastructure;

namespace Oms.Tests.Web;

/// <summary>A browser-like HTTP session on the admin UI: cookies kept, redirects not followed, tokens read from pages.</summary>
public sealed partial class WebSession : IDisposable
{
    private readonly HttpClient _http;
    public CookieContainer Cookies { get; } = new();

    public WebSession(ServerFixture server)
    {
        ArgumentNullException.ThrowIfNull(server);
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
        BaseAddress = server.BaseAddress;
    }

    public Uri BaseAddress { get; }

    public sealed record Answer(HttpStatusCode Status, string Html, string? Location);

    public async Task<Answer> GetAsync(string path)
    {
        using var resp = await _http.GetAsync(new Uri(path, UriKind.Relative));
        return await ReadAsync(resp);
    }

    /// <summary>Posts a form; with <paramref name="tokenFrom"/> the antiforgery token is read from that page first.</summary>
    public async Task<Answer> PostAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, string? tokenFrom = null)
    {
        var form = fields.ToList();
        if (tokenFrom is not null)
        {
            var page = await GetAsync(tokenFrom);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            form.Add(new("__RequestVerificationToken", TokenIn(page.Html)));
        }
        using var content = new FormUrlEncodedContent(form);
        using var resp = await _http.PostAsync(new Uri(path, UriKind.Relative), content);
        return await ReadAsync(resp);
    }

    public async Task<Answer> LoginAsync(string name, string password) =>
        await PostAsync("/login", [new("name", name), new("password", password)], tokenFrom: "/login");

    public async Task LoginAsAdminAsync()
    {
        var answer = await LoginAsync(ServerFixture.AdminUser, ServerFixture.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
    }

    public bool HasAuthCookie => Cookies.GetCookies(BaseAddress).Any(c => c.Name == "oms.auth");

    public static string TokenIn(string html)
    {
        var m = TokenField().Match(html);
        Assert.True(m.Success, "no antiforgery token on the page");
        return m.Groups[1].Value;
    }

    private static async Task<Answer> ReadAsync(HttpResponseMessage resp) =>
        new(resp.StatusCode, await resp.Content.ReadAsStringAsync(), resp.Headers.Location?.ToString());

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    public void Dispose() => _http.Dispose();
}
