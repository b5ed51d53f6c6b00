using System.Net;

namespace Dispatch.Cluster.Tests;

/// <summary>The Orleans Dashboard is for Admins only: by bearer token, or by the cookie an Admin token is exchanged for.</summary>
public class DashboardTests(SingleServer server) : IClassFixture<SingleServer>
{
    private const string Dashboard = "/dashboard/";

    [Fact]
    public async Task Anonymous_and_dispatchers_are_refused_and_an_admin_bearer_gets_the_dashboard()
    {
        using var anonymous = server.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Dashboard)).StatusCode);

        using var dispatcher = server.Client(server.Token("dana", "Dispatcher"));
        Assert.Equal(HttpStatusCode.Forbidden, (await dispatcher.GetAsync(Dashboard)).StatusCode);

        using var admin = server.Client(server.Token("ops", "Admin"));
        using var page = await admin.GetAsync(Dashboard);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("html", (await page.Content.ReadAsStringAsync()).ToLowerInvariant(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_browser_admin_exchanges_a_token_for_a_short_lived_cookie_scoped_to_the_dashboard()
    {
        using var browser = server.Client();
        // The sign-in form is public; the exchange is not.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/dashboard/session")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await browser.PostAsync("/api/v1/dashboard/session", new FormUrlEncodedContent([new("token", "not-a-token")]))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await browser.PostAsync("/api/v1/dashboard/session", new FormUrlEncodedContent([new("token", server.Token("dana", "Dispatcher"))]))).StatusCode);

        using var signedIn = await browser.PostAsync("/api/v1/dashboard/session", new FormUrlEncodedContent([new("token", server.Token("ops", "Admin"))]));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(Dashboard, signedIn.Headers.Location?.ToString());
        var cookie = Assert.Single(signedIn.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie.ToLowerInvariant(), StringComparison.Ordinal);
        Assert.Contains("samesite=strict", cookie.ToLowerInvariant(), StringComparison.Ordinal);
        Assert.Contains("path=/dashboard", cookie.ToLowerInvariant(), StringComparison.Ordinal);
        Assert.Contains("expires=", cookie.ToLowerInvariant(), StringComparison.Ordinal);

        using var withCookie = new HttpRequestMessage(HttpMethod.Get, Dashboard);
        withCookie.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(withCookie)).StatusCode);

        // A dispatcher's token in the cookie is still a dispatcher's token.
        using var forged = new HttpRequestMessage(HttpMethod.Get, Dashboard);
        forged.Headers.Add("Cookie", "dispatch_dashboard=" + server.Token("dana", "Dispatcher"));
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(forged)).StatusCode);

        // The cookie is for the dashboard only: the API does not take it.
        using var api = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        api.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.SendAsync(api)).StatusCode);
    }
}
