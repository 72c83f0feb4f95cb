using System.Net;

namespace Mail2Sms.Web.Tests;

/// <summary>Signing in to the dashboard: cookie, anti-forgery token on every form, lockout, sign-out.</summary>
public sealed class DashboardSignInTests
{
    [Theory]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard/messages?number=0412")]
    [InlineData("/dashboard/emails/1")]
    [InlineData("/dashboard/replies")]
    public async Task A_page_sends_someone_not_signed_in_to_sign_in_and_back(string page)
    {
        await using var site = await DashboardSite.StartAsync();
        var (status, _, location) = await site.GetAsync(page);
        Assert.Equal(HttpStatusCode.Redirect, status);
        Assert.Equal("/dashboard/sign-in?ReturnUrl=" + Uri.EscapeDataString(page), new Uri(location!).PathAndQuery);
    }

    [Fact]
    public async Task The_sites_root_sends_a_newcomer_to_the_dashboard_not_to_an_empty_404()
    {
        await using var site = await DashboardSite.StartAsync();
        var (status, _, location) = await site.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, status);
        Assert.Equal("/dashboard/", location);
    }

    [Fact]
    public async Task The_right_password_signs_in_and_returns_to_the_page_asked_for()
    {
        await using var site = await DashboardSite.StartAsync();
        Assert.Equal("/dashboard/replies", (await site.SignInAsync(returnUrl: "/dashboard/replies")).Location);
        var (status, body, _) = await site.GetAsync("/dashboard/replies");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("<h1>Replies</h1>", body, StringComparison.Ordinal);
        Assert.Contains("<span>ops</span>", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/dashboardevil")]
    [InlineData("/dashboard/\\evil.example")]
    [InlineData("/dashboard/\r\nSet-Cookie: x=1")]
    [InlineData("/dashboard/\nLocation: https://evil.example/")]
    public async Task A_return_address_outside_the_dashboard_or_with_a_line_break_is_a_400_and_signs_nobody_in(string returnUrl)
    {
        await using var site = await DashboardSite.StartAsync();
        var (status, body, location) = await site.SignInAsync(returnUrl: returnUrl);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Null(location);
        Assert.Contains("The return address must be a page of this dashboard (a path that begins with /dashboard/).", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await site.GetAsync("/dashboard/")).Status);

        var (shown, page, _) = await site.GetAsync("/dashboard/sign-in?ReturnUrl=" + Uri.EscapeDataString(returnUrl));
        Assert.Equal(HttpStatusCode.BadRequest, shown);
        Assert.Contains("The return address must be a page of this dashboard", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ops", "wrong password")]
    [InlineData("nobody", DashboardSite.Password)]
    [InlineData("ops", "")]
    public async Task A_wrong_name_or_password_is_refused_and_nobody_is_signed_in(string name, string password)
    {
        await using var site = await DashboardSite.StartAsync();
        var (status, body, _) = await site.SignInAsync(name, password);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("Wrong name or password.", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await site.GetAsync("/dashboard/")).Status);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_operator_out_from_that_address_for_15_minutes_even_against_the_right_one()
    {
        await using var site = await DashboardSite.StartAsync();
        for (var i = 1; i <= 4; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await site.SignInAsync(password: $"guess {i}")).Status);
        }

        var (fifth, body, _) = await site.SignInAsync(password: "guess 5");
        Assert.Equal(HttpStatusCode.TooManyRequests, fifth);
        Assert.Contains("Too many wrong passwords from 127.0.0.1: sign-in is locked until 2026-11-26 12:15:00 UTC.", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await site.SignInAsync("OPS")).Status);

        site.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Redirect, (await site.SignInAsync()).Status);
        Assert.Equal(HttpStatusCode.OK, (await site.GetAsync("/dashboard/")).Status);
    }

    [Fact]
    public async Task Guesses_at_names_that_are_no_operator_lock_out_the_guesser_never_the_operator()
    {
        await using var site = await DashboardSite.StartAsync();
        for (var i = 1; i <= 4; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await site.SignInAsync($"admin{i}", "guess")).Status);
        }

        var (fifth, body, _) = await site.SignInAsync("admin5", "guess");
        Assert.Equal(HttpStatusCode.TooManyRequests, fifth);
        Assert.Contains("Too many wrong passwords from 127.0.0.1: sign-in is locked until 2026-11-26 12:15:00 UTC.", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await site.SignInAsync("root", DashboardSite.Password)).Status);
        Assert.Equal(HttpStatusCode.Redirect, (await site.SignInAsync()).Status);
    }

    [Fact]
    public async Task Signing_in_without_the_anti_forgery_token_is_refused_even_with_the_right_password()
    {
        await using var site = await DashboardSite.StartAsync();
        await site.GetAsync("/dashboard/sign-in");
        var (status, _, _) = await site.PostAsync("/dashboard/sign-in", null, ("name", "ops"), ("password", DashboardSite.Password));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(HttpStatusCode.Redirect, (await site.GetAsync("/dashboard/")).Status);
    }

    [Fact]
    public async Task Signing_out_needs_the_token_and_then_ends_the_session()
    {
        await using var site = await DashboardSite.StartAsync();
        await site.SignedInAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await site.PostAsync("/dashboard/sign-out", null)).Status);
        Assert.Equal(HttpStatusCode.OK, (await site.GetAsync("/dashboard/")).Status);

        var (status, _, location) = await site.PostAsync("/dashboard/sign-out", "/dashboard/");
        Assert.Equal((HttpStatusCode.Redirect, "/dashboard/sign-in"), (status, location));
        Assert.Equal(HttpStatusCode.Redirect, (await site.GetAsync("/dashboard/")).Status);
    }

    [Fact]
    public async Task With_a_keys_folder_another_gateway_sharing_it_accepts_the_sign_in_and_one_on_another_database_does_not()
    {
        var keys = Directory.CreateTempSubdirectory("mail2sms-keys-").FullName;
        try
        {
            await using var first = await DashboardSite.StartAsync(keysDirectory: keys);
            await first.SignedInAsync();
            await using var second = await DashboardSite.StartAsync(keysDirectory: keys);
            await using var inMemory = await DashboardSite.StartAsync();
            Assert.NotEmpty(Directory.GetFiles(keys, "key-*.xml"));

            Assert.Equal(HttpStatusCode.OK, await OverviewWithAsync(second, first.Cookies));
            Assert.Equal(HttpStatusCode.Redirect, await OverviewWithAsync(inMemory, first.Cookies));
        }
        finally
        {
            Directory.Delete(keys, recursive: true);
        }
    }

    [Fact]
    public async Task Two_nodes_on_one_database_started_together_accept_each_others_sign_in_and_so_does_a_restart()
    {
        await using var seeded = await DashboardSite.StartAsync();
        // The seeded site's own start made a key; with none kept, the two nodes below each make their first key at once.
        await seeded.ExecuteAsync("DELETE FROM protection_keys", new { });
        var nodes = await Task.WhenAll(DashboardSite.StartAsync(databaseFile: seeded.DatabaseFile), DashboardSite.StartAsync(databaseFile: seeded.DatabaseFile));
        await using var first = nodes[0];
        await using var second = nodes[1];

        await first.SignedInAsync();
        await second.SignedInAsync();
        Assert.Equal(HttpStatusCode.OK, await OverviewWithAsync(second, first.Cookies));
        Assert.Equal(HttpStatusCode.OK, await OverviewWithAsync(first, second.Cookies));

        await using var restarted = await DashboardSite.StartAsync(databaseFile: seeded.DatabaseFile);
        Assert.Equal(HttpStatusCode.OK, await OverviewWithAsync(restarted, first.Cookies));
        Assert.Equal(HttpStatusCode.OK, await OverviewWithAsync(restarted, second.Cookies));
        Assert.Equal(HttpStatusCode.Redirect, await OverviewWithAsync(restarted, "mail2sms.dashboard=forged"));
    }

    // The overview asked of site with another site's cookies.
    private static async Task<HttpStatusCode> OverviewWithAsync(DashboardSite site, string cookies)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        request.Headers.Add("Cookie", cookies);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = site.Client.BaseAddress };
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
