namespace Mail2Sms.Web.Tests;

/// <summary>A REST API request on the dashboard: kept without an envelope, it is still shown and found with "api" as its sender.</summary>
public sealed class ApiRequestPageTests
{
    private static readonly DateTimeOffset Morning = new(2026, 11, 26, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_api_request_is_shown_and_found_by_sender_as_api()
    {
        await using var site = await DashboardSite.StartAsync();
        var (request, _) = await site.EmailAsync("Sent by API", Morning, ("61412345678", null, "Server 23 is offline", "queued"));
        await site.EmailAsync("Sent by email", Morning, ("61498765432", null, "Backup done", "queued"));
        // As intake keeps a REST API request: no originator, an empty MAIL FROM, source 'api'.
        await site.ExecuteAsync("UPDATE emails SET originator = NULL, mail_from = '', source = 'api' WHERE id = @request", new { request });
        await site.SignedInAsync();

        var (_, page, _) = await site.GetAsync($"/dashboard/emails/{request}");
        var (_, found, _) = await site.GetAsync("/dashboard/messages?sender=API");

        Assert.Contains("<dt>From</dt><dd>api (MAIL FROM api, client 127.0.0.1)</dd>", page, StringComparison.Ordinal);
        Assert.Contains("Server 23 is offline", found, StringComparison.Ordinal);
        Assert.DoesNotContain("Backup done", found, StringComparison.Ordinal);
    }
}
