using System.Net;
using System.Text.RegularExpressions;
using static Mail2Sms.Web.Tests.PageText;

namespace Mail2Sms.Web.Tests;

/// <summary>The dashboard's pages over what intake, delivery and replies wrote to the store.</summary>
public sealed class DashboardPageTests
{
    private const string Script = "<script>alert('x')</script>";
    private const string Encoded = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;";
    private static readonly DateTimeOffset Morning = new(2026, 11, 26, 9, 30, 0, TimeSpan.Zero);
    private static readonly string[] Series = ["accepted", "submitted", "delivered", "failed"];

    [Fact]
    public async Task The_overview_shows_the_queue_the_binds_today_by_status_credits_and_refused_recipients()
    {
        await using var site = await DashboardSite.StartAsync(boundBinds: 1);
        var (email, _) = await site.EmailAsync("Alert", Morning, ("61412345678", null, "a", "queued"), ("61412345679", null, "b", "delivered"), ("61412345670", null, "c", "delivered"));
        await site.EmailAsync("Yesterday", Morning.AddDays(-1), ("61412345678", null, "old", "failed"));
        await site.ExecuteAsync("INSERT INTO email_failures (email_id, position, location, code, reason) VALUES (@email, 0, '123', '5.1.3', @reason)",
            new { email, reason = "'123' is too short for a mobile number." });
        await site.SignedInAsync();

        var (status, body, _) = await site.GetAsync("/dashboard/");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("""<dd id="queued">1</dd>""", body, StringComparison.Ordinal);
        Assert.Contains("""<dd id="oldest-queued">2026-11-26 09:30:00 UTC</dd>""", body, StringComparison.Ordinal);
        Assert.Contains("1 bound of 2 configured", body, StringComparison.Ordinal);
        Assert.Contains("<h2>SMSC binds to smsc.example:2775 as acme</h2>", body, StringComparison.Ordinal);
        Assert.Equal(
            ["1 bound 2026-11-26 11:55:00 UTC 3 SMSC system_id SMSC1", "2 not bound, reconnecting 2026-11-26 11:59:00 UTC 0 the SMSC refused the bind: <b>BindFailed</b>"],
            Rows(Table(body, "bind-states")));
        Assert.Contains("1, 500 credits in all", body, StringComparison.Ordinal);
        Assert.Equal(["delivered 2", "queued 1"], Rows(Table(body, "today")));
        Assert.Contains("&#x27;123&#x27; is too short for a mobile number.", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "smpp: up (1 of 2 binds up to smsc.example:2775)", "s-delivered")]
    [InlineData(0, "smpp: down (no bind up to smsc.example:2775)", "s-failed")]
    public async Task The_overview_lists_each_channel_up_or_down_with_its_detail_above_the_binds(int boundBinds, string line, string style)
    {
        await using var site = await DashboardSite.StartAsync(boundBinds);
        await site.SignedInAsync();

        var body = (await site.GetAsync("/dashboard/")).Body;

        var channels = Regex.Match(body, """<h2>Channels</h2><ul id="channels">(.*?)</ul>""", RegexOptions.Singleline);
        Assert.True(channels.Success, "no Channels list on the overview");
        Assert.Equal([line], Regex.Matches(channels.Groups[1].Value, "<li[^>]*>(.*?)</li>").Select(m => Text(m.Groups[1].Value)));
        Assert.Contains($"""<li id="channel-smpp">smpp: <span class="status {style}">""", body, StringComparison.Ordinal);
        Assert.True(channels.Index < body.IndexOf("""<table id="bind-states">""", StringComparison.Ordinal), "the channels come below the bind table");
    }

    [Fact]
    public async Task The_overview_charts_sms_per_minute_accepted_submitted_delivered_and_failed_over_six_hours()
    {
        await using var site = await DashboardSite.StartAsync();
        var noon = site.Clock.GetUtcNow();
        await site.EmailAsync("Too old", noon.AddHours(-6), ("61412345678", null, "a", "queued"));
        await site.EmailAsync("Oldest shown", noon.AddHours(-6).AddMinutes(1), ("61412345678", null, "b", "queued"));
        var (email, sms) = await site.EmailAsync("Alert", noon.AddMinutes(-30),
            ("61412345671", null, "c", "delivered"), ("61412345672", null, "c", "failed"), ("61412345673", null, "c", "expired"), ("61412345674", null, "c", "submitted"));
        await site.ExecuteAsync(
            """
            UPDATE sms SET submitted_at = CASE id WHEN @last THEN '2026-11-26T11:32:00.0000000Z' ELSE '2026-11-26T11:31:10.0000000Z' END,
              final_at = CASE status WHEN 'delivered' THEN '2026-11-26T11:33:05.0000000Z' WHEN 'failed' THEN '2026-11-26T11:33:59.9999999Z' WHEN 'expired' THEN '2026-11-26T11:45:00.0000000Z' END
            WHERE email_id = @email
            """, new { email, last = sms[3] });
        await site.SignedInAsync();

        var body = (await site.GetAsync("/dashboard/")).Body;

        Assert.Contains("""<svg id="chart" role="img" aria-label="SMS per minute over the last 6 hours""", body, StringComparison.Ordinal);
        Assert.Contains("<title>SMS per minute over the last 6 hours", body, StringComparison.Ordinal);
        Assert.Equal(Series,
            Regex.Matches(body, """<polyline class="series" data-series="(\w+)" [^>]*points="([^"]+)"/>""").Where(m => m.Groups[2].Value.Split(' ').Length == 360).Select(m => m.Groups[1].Value));
        Assert.Equal(["0", "4", "SMS per minute", "time (UTC)", "07:00", "08:00", "09:00", "10:00", "11:00", "12:00"],
            Regex.Matches(body, """<text [^>]*>([^<]+)</text>""").Select(m => m.Groups[1].Value).Where(t => !Series.Contains(t)));
        Assert.Equal(
            [
                "2026-11-26 06:01 1 0 0 0",
                "2026-11-26 11:30 4 0 0 0",
                "2026-11-26 11:31 0 3 0 0",
                "2026-11-26 11:32 0 1 0 0",
                "2026-11-26 11:33 0 0 1 1",
                "2026-11-26 11:45 0 0 0 1",
            ], Rows(Table(body, "per-minute")));
        Assert.DoesNotContain("No SMS in the last", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_overview_says_so_when_no_sms_moved_in_six_hours()
    {
        await using var site = await DashboardSite.StartAsync();
        await site.EmailAsync("Too old", site.Clock.GetUtcNow().AddHours(-6), ("61412345678", null, "a", "delivered"));
        await site.SignedInAsync();

        var body = (await site.GetAsync("/dashboard/")).Body;

        Assert.Contains("""<p id="chart-empty">No SMS in the last 6 hours.</p>""", body, StringComparison.Ordinal);
        Assert.DoesNotContain("<svg", body, StringComparison.Ordinal);
        Assert.DoesNotContain("per-minute", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Messages_are_found_by_number_sender_account_status_text_and_date_newest_first()
    {
        await using var site = await DashboardSite.StartAsync();
        var (disk, _) = await site.EmailAsync("Disk full", Morning, ("61412345678", "John", "Disk full on db1", "delivered"));
        await site.EmailAsync("Server down", Morning.AddMinutes(1), ("61412345678", null, "Server 23 is offline", "failed"), ("61498765432", null, "Server 23 is offline", "queued"));
        await site.EmailAsync("Last week", Morning.AddDays(-7), ("61411111111", null, "Backup done", "delivered"));
        await site.ExecuteAsync("UPDATE emails SET originator = 'Ops@Acme.example', mail_from = 'bounces@acme.example' WHERE id = @disk", new { disk });
        await site.SignedInAsync();

        Assert.Equal(["4", "3", "2", "1"], Ids(await Messages(site, string.Empty)));
        Assert.Equal(["1"], Ids(await Messages(site, "sender=ops%40acme")));
        Assert.Equal(["1"], Ids(await Messages(site, "sender=BOUNCES")));
        Assert.Equal(["4", "3", "2"], Ids(await Messages(site, "sender=nagios")));
        Assert.Equal(["4"], Ids(await Messages(site, "from=2026-11-19&to=2026-11-19")));
        Assert.Equal(["3", "2", "1"], Ids(await Messages(site, "from=2026-11-20")));
        Assert.Equal(["4"], Ids(await Messages(site, "to=2026-11-25")));
        var badDate = await Messages(site, "from=yesterday");
        Assert.Contains("A date is a day such as 2026-11-26; the one given is left out of the search.", badDate, StringComparison.Ordinal);
        Assert.Equal(["4", "3", "2", "1"], Ids(badDate));
        Assert.Equal(["4", "3", "2", "1"], Ids(await Messages(site, "to=9999-12-31")));
        Assert.Contains("From is after To: no SMS can be in between.", await Messages(site, "from=2026-11-26&to=2026-11-01"), StringComparison.Ordinal);

        Assert.Equal(["2", "1"], Ids(await Messages(site, "number=0412+345+678")));
        Assert.Equal(["2"], Ids(await Messages(site, "status=failed")));
        Assert.Equal(["1"], Ids(await Messages(site, "text=DISK")));
        Assert.Equal(["1"], Ids(await Messages(site, "text=john")));
        Assert.Equal(["3", "2"], Ids(await Messages(site, "text=server+down&account=ci00000001")));
        Assert.Empty(Ids(await Messages(site, "account=CI99999999")));
    }

    [Fact]
    public async Task Refused_emails_show_with_the_reply_their_sender_got_on_their_page_and_the_overview_escaped()
    {
        await using var site = await DashboardSite.StartAsync();
        var emails = site.Storage.Emails;
        await emails.RecordRejectionAsync(new("CI00000001", "a@example.com", "nagios@example.com", "nagios@example.com", "203.0.113.5", ["0412345678@sms.localhost"], Script,
            "insufficient_credits", "550 5.7.1 This email needs 6 credits but the account has 5: buy credits or send fewer messages."));
        site.Clock.Advance(TimeSpan.FromMinutes(1));
        await emails.RecordRejectionAsync(new(null, null, null, "x@unknown.example", "198.51.100.7", ["0412345678@sms.localhost"], "hi", "authentication_failed",
            "550 5.7.1 x@unknown.example is not registered to send SMS through this gateway: ask the gateway's operator to add it to your account."));
        await site.SignedInAsync();

        var page = (await site.GetAsync("/dashboard/rejected")).Body;
        Assert.Equal(
        [
            "2026-11-26 12:01:00 UTC x@unknown.example 198.51.100.7 -- 0412345678@sms.localhost hi 550 5.7.1 x@unknown.example is not registered to send SMS through this gateway: ask the gateway's operator to add it to your account.",
            $"2026-11-26 12:00:00 UTC nagios@example.com 203.0.113.5 CI00000001 0412345678@sms.localhost {Script} 550 5.7.1 This email needs 6 credits but the account has 5: buy credits or send fewer messages.",
        ], Rows(Table(page, "rejected")));
        Assert.DoesNotContain("<script", page, StringComparison.Ordinal);
        Assert.Equal(["x@unknown.example"], Rows(Table((await site.GetAsync("/dashboard/rejected?sender=UNKNOWN")).Body, "rejected")).Select(r => r.Split(' ')[3]));
        var overview = (await site.GetAsync("/dashboard/")).Body;
        Assert.Equal(2, Rows(Table(overview, "rejected")).Count);
        Assert.DoesNotContain("<script", overview, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Messages_come_fifty_to_a_page_with_links_to_older_and_newer()
    {
        await using var site = await DashboardSite.StartAsync();
        await site.EmailAsync("Bulk", Morning, [.. Enumerable.Range(0, 55).Select(i => ("61412345678", (string?)null, $"message {i}", "delivered"))]);
        await site.SignedInAsync();

        var first = await Messages(site, "status=delivered");
        Assert.Equal(50, Ids(first).Count);
        Assert.Equal("55", Ids(first)[0]);
        Assert.Contains("""href="/dashboard/messages?status=delivered&amp;page=2" rel="next">Older""", first, StringComparison.Ordinal);
        var second = await Messages(site, "status=delivered&page=2");
        Assert.Equal(["5", "4", "3", "2", "1"], Ids(second));
        Assert.Contains("rel=\"prev\">Newer", second, StringComparison.Ordinal);
        Assert.DoesNotContain("rel=\"next\"", second, StringComparison.Ordinal);
        Assert.Contains("""href="/dashboard/messages?sender=nagios&amp;status=delivered&amp;from=2026-11-26&amp;to=2026-11-26&amp;page=2" rel="next">Older""",
            await Messages(site, "status=delivered&sender=nagios&from=2026-11-26&to=2026-11-26"), StringComparison.Ordinal);
        Assert.Empty(Ids(await Messages(site, "page=2147483647")));
    }

    [Fact]
    public async Task An_emails_page_shows_each_sms_timeline_with_smsc_ids_receipts_errors_and_replies()
    {
        await using var site = await DashboardSite.StartAsync();
        var (email, sms) = await site.EmailAsync("Alert", Morning, ("61412345678", null, "Server 23 is offline.", "delivered"), ("61412345679", null, "Server 23 is offline.", "failed"));
        await site.ExecuteAsync(
            """
            UPDATE sms SET submitted_at = '2026-11-26T09:30:01.0000000Z', final_at = '2026-11-26T09:30:05.0000000Z', attempts = 1,
              last_error = CASE id WHEN @failed THEN 'The SMSC reported it undeliverable (UNDELIV).' END WHERE email_id = @email;
            INSERT INTO sms_parts (sms_id, part, smsc_message_id, receipt_key, status, receipt_at, receipt_state)
            VALUES (@delivered, 1, 'A1B2C3', 'a1b2c3', 'delivered', '2026-11-26T09:30:04.0000000Z', 'DELIVRD'),
                   (@failed, 1, 'D4E5F6', 'd4e5f6', 'failed', '2026-11-26T09:30:05.0000000Z', 'UNDELIV');
            INSERT INTO replies (mobile, to_address, text, sms_id, status, received_at)
            VALUES ('61412345678', '61400000000', 'OK, on my way.', @delivered, 'emailed', '2026-11-26T09:31:00.0000000Z');
            """, new { email, delivered = sms[0], failed = sms[1] });
        await site.SignedInAsync();

        var (status, body, _) = await site.GetAsync($"/dashboard/emails/{email}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(
            [
                "2026-11-26 09:30:00 UTC: accepted, 1 part(s), Gsm7",
                "2026-11-26 09:30:01 UTC: submitted (attempt 1), SMSC IDs A1B2C3",
                "2026-11-26 09:30:04 UTC: receipt for part 1 (A1B2C3): DELIVRD",
                "2026-11-26 09:30:05 UTC: delivered",
                "2026-11-26 09:31:00 UTC: reply from 61412345678 (emailed): OK, on my way.",
            ], Timeline(body, sms[0]));
        Assert.Equal(
            [
                "2026-11-26 09:30:00 UTC: accepted, 1 part(s), Gsm7",
                "2026-11-26 09:30:01 UTC: submitted (attempt 1), SMSC IDs D4E5F6",
                "2026-11-26 09:30:05 UTC: receipt for part 1 (D4E5F6): UNDELIV",
                "2026-11-26 09:30:05 UTC: failed: The SMSC reported it undeliverable (UNDELIV).",
            ], Timeline(body, sms[1]));
        Assert.Equal(HttpStatusCode.NotFound, (await site.GetAsync("/dashboard/emails/999")).Status);
        Assert.Equal($"/dashboard/emails/{email}#sms-{sms[1]}", (await site.GetAsync($"/dashboard/sms/{sms[1]}")).Location);
    }

    [Fact]
    public async Task Replies_show_matched_and_unmatched_and_filter_by_status()
    {
        await using var site = await DashboardSite.StartAsync();
        var (_, sms) = await site.EmailAsync("Alert", Morning, ("61412345678", null, "Server 23 is offline.", "delivered"));
        await site.ExecuteAsync(
            """
            INSERT INTO replies (mobile, to_address, text, sms_id, status, received_at) VALUES
              ('61412345678', '61400000000', 'On it', @sms, 'emailed', '2026-11-26T09:31:00.0000000Z'),
              ('61455555555', '61400000000', 'Who is this?', NULL, 'unmatched', '2026-11-26T09:32:00.0000000Z');
            """, new { sms = sms[0] });
        await site.SignedInAsync();

        var all = (await site.GetAsync("/dashboard/replies")).Body;
        Assert.Equal(["2 2026-11-26 09:32:00 UTC 61455555555 61400000000 unmatched no SMS Who is this? SMS Assign SMS sent to 61455555555",
            $"1 2026-11-26 09:31:00 UTC 61412345678 61400000000 emailed SMS {sms[0]} of CI00000001 On it"], Rows(Table(all, "replies")));
        Assert.Equal(["2 2026-11-26 09:32:00 UTC 61455555555 61400000000 unmatched no SMS Who is this? SMS Assign SMS sent to 61455555555"],
            Rows(Table((await site.GetAsync("/dashboard/replies?status=unmatched")).Body, "replies")));
    }

    [Fact]
    public async Task An_unmatched_reply_is_assigned_to_an_sms_sent_to_its_mobile_and_emailed_to_whoever_sent_that_sms()
    {
        await using var site = await DashboardSite.StartAsync();
        var (_, sms) = await site.EmailAsync("Alert", Morning, ("61455555555", null, "Server 23 is offline.", "delivered"), ("61412345678", null, "Disk full on db1.", "delivered"));
        await site.ExecuteAsync("UPDATE sms SET submitted_at = '2026-11-26T09:30:01.0000000Z'", new { });
        await site.ExecuteAsync(
            "INSERT INTO replies (mobile, to_address, text, sms_id, status, received_at) VALUES ('61455555555', '61400000000', 'ACK', NULL, 'unmatched', '2026-11-26T09:32:00.0000000Z')",
            new { });
        await site.SignedInAsync();

        var page = (await site.GetAsync("/dashboard/replies")).Body;
        Assert.Contains("""<a href="/dashboard/messages?number=61455555555">SMS sent to 61455555555</a>""", page, StringComparison.Ordinal);
        Assert.Equal([$"SMS {sms[0]} of CI00000001, 2026-11-26 09:30:01 UTC: Server 23 is offline."],
            Regex.Matches(page, """<button type="submit" class="candidate">(.*?)</button>""").Select(m => Text(m.Groups[1].Value)));

        var (status, _, location) = await site.PostAsync("/dashboard/replies/1/assign", "/dashboard/replies", ("sms", $"{sms[0]}"));
        Assert.Equal((HttpStatusCode.SeeOther, "/dashboard/replies?assigned=1#reply-1"), (status, location));
        var after = (await site.GetAsync(location!)).Body;
        Assert.Contains($"Reply 1 assigned to SMS {sms[0]} of CI00000001: emailed.", Text(after), StringComparison.Ordinal);
        Assert.Equal([$"1 2026-11-26 09:32:00 UTC 61455555555 61400000000 emailed SMS {sms[0]} of CI00000001 (assigned by ops at 2026-11-26 12:00:00 UTC) ACK"],
            Rows(Table(after, "replies")));
        var mail = Assert.Single(await new Gateway.Storage.Sqlite.OutboxStore(site.Database, site.Clock).QueuedAsync(10));
        Assert.Equal(("nagios@example.com", "Re: Alert"), (mail.RcptTo, MimeKit.MimeMessage.Load(new MemoryStream(mail.Message)).Subject));
    }

    [Fact]
    public async Task A_reply_assigned_to_an_sms_sent_to_another_mobile_is_refused_with_the_reason()
    {
        await using var site = await DashboardSite.StartAsync();
        var (_, sms) = await site.EmailAsync("Alert", Morning, ("61412345678", null, "Disk full on db1.", "delivered"));
        await site.ExecuteAsync("UPDATE sms SET submitted_at = '2026-11-26T09:30:01.0000000Z'", new { });
        await site.ExecuteAsync(
            "INSERT INTO replies (mobile, to_address, text, sms_id, status, received_at) VALUES ('61455555555', '61400000000', 'ACK', NULL, 'unmatched', '2026-11-26T09:32:00.0000000Z')",
            new { });
        await site.SignedInAsync();

        var (status, body, _) = await site.PostAsync("/dashboard/replies/1/assign", "/dashboard/replies", ("sms", $"{sms[0]}"));
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains($"""<p class="problem" role="alert">SMS {sms[0]} went to 61412345678, not to 61455555555.</p>""", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await site.PostAsync("/dashboard/replies/1/assign", "/dashboard/replies", ("sms", "twelve"))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await site.PostAsync("/dashboard/replies/1/assign", null, ("sms", $"{sms[0]}"))).Status);
        Assert.Equal("unmatched", Assert.Single(await new Gateway.Storage.Sqlite.ReplyStore(site.Database, site.Clock).ListAsync(null, 10)).Status);
    }

    [Fact]
    public async Task What_customers_wrote_is_shown_as_text_on_every_page()
    {
        await using var site = await DashboardSite.StartAsync();
        var (email, sms) = await site.EmailAsync(Script, Morning, ("61412345678", Script, Script, "delivered"));
        await site.ExecuteAsync("INSERT INTO replies (mobile, to_address, text, sms_id, status, received_at) VALUES ('61412345678', 'x', @text, @sms, 'emailed', '2026-11-26T09:31:00Z')",
            new { text = Script, sms = sms[0] });
        // An unmatched reply from the same mobile: its row offers the SMS, text and all, as a candidate.
        await site.ExecuteAsync("UPDATE sms SET submitted_at = '2026-11-26T09:30:01Z'", new { });
        await site.ExecuteAsync("INSERT INTO replies (mobile, to_address, text, sms_id, status, received_at) VALUES ('61412345678', @text, @text, NULL, 'unmatched', '2026-11-26T09:32:00Z')",
            new { text = Script });
        await site.ExecuteAsync("INSERT INTO email_failures (email_id, position, location, code, reason) VALUES (@email, 0, @text, '5.1.3', @text)", new { email, text = Script });
        await site.SignedInAsync();

        foreach (var page in new[] { "/dashboard/", "/dashboard/messages", $"/dashboard/messages?text={Uri.EscapeDataString(Script)}", $"/dashboard/emails/{email}", "/dashboard/replies" })
        {
            var (status, body, _) = await site.GetAsync(page);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.DoesNotContain("<script", body, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(Encoded, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Accounts_show_their_credits_networks_users_and_ledger()
    {
        await using var site = await DashboardSite.StartAsync();
        await site.Accounts.AllowIpAsync(DashboardSite.Account, "203.0.113.9/24");
        await site.Accounts.AddUserAsync(DashboardSite.Account, "ops@example.com", "secret pw");
        await site.Accounts.AddUserAsync(DashboardSite.Account, "*@monitor.example.com", null);
        await site.Accounts.CreditAsync(DashboardSite.Account, -20, Script);
        await site.SignedInAsync();

        Assert.Equal(["CI00000001 AU the gateway's 480 off no cap of SMS per minute"], Rows(Table((await site.GetAsync("/dashboard/accounts")).Body, "accounts")));
        var (status, body, _) = await site.GetAsync("/dashboard/accounts/CI00000001");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["203.0.113.0/24 Remove"], Rows(Table(body, "networks")));
        Assert.Equal(["*@monitor.example.com IP only off Disable Receipt emails on", "ops@example.com password off Disable Receipt emails on Set password"], Rows(Table(body, "users")));
        Assert.Equal(["2026-11-26 12:00:00 UTC -20 480 " + Script, "2026-11-26 12:00:00 UTC +500 500 opening credits"], Rows(Table(body, "ledger")));
        Assert.DoesNotContain("<script", body, StringComparison.Ordinal);
        Assert.DoesNotContain("secret pw", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await site.GetAsync("/dashboard/accounts/CI99999999")).Status);
    }

    private static async Task<string> Messages(DashboardSite site, string query)
    {
        var (status, body, _) = await site.GetAsync("/dashboard/messages?" + query);
        Assert.Equal(HttpStatusCode.OK, status);
        return body;
    }

    private static List<string> Ids(string page) => [.. Regex.Matches(page, """<tr id="sms-(\d+)">""").Select(m => m.Groups[1].Value)];

    private static List<string> Timeline(string page, long sms) =>
        [.. Regex.Matches(Regex.Match(page, $"""<section class="sms" id="sms-{sms}">.*?</section>""", RegexOptions.Singleline).Value, "<li[^>]*>(.*?)</li>", RegexOptions.Singleline)
            .Select(m => Text(m.Groups[1].Value))];

    [Fact]
    public async Task No_page_grows_with_one_field_however_long_it_was_stored()
    {
        await using var site = await DashboardSite.StartAsync();
        var huge = new string('x', 1024 * 1024);
        var (email, _) = await site.EmailAsync(huge, Morning, ("61412345678", huge, huge, "delivered"));
        await site.ExecuteAsync("INSERT INTO email_failures (email_id, position, location, code, reason) VALUES (@email, 0, @huge, 'InvalidNumber', @huge)", new { email, huge });
        await site.ExecuteAsync(
            "INSERT INTO rejected_emails (originator, mail_from, recipients, subject, reason, reply, received_at) VALUES (@huge, 'x@example.com', 'x@sms.localhost', @huge, 'invalid_number', @huge, '2026-11-26T09:00:00Z')",
            new { huge });
        await site.SignedInAsync();

        foreach (var page in new[] { "/dashboard/", "/dashboard/messages", "/dashboard/rejected", $"/dashboard/emails/{email}" })
        {
            var (status, body, _) = await site.GetAsync(page);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains(new string('x', 7999) + "\u2026", body, StringComparison.Ordinal);
            Assert.DoesNotContain(new string('x', 8001), body, StringComparison.Ordinal);
            Assert.True(body.Length < 200_000, $"{page} is {body.Length} characters");
        }
    }

    [Fact]
    public async Task An_emails_page_counts_the_failures_past_the_cap_it_does_not_list()
    {
        await using var site = await DashboardSite.StartAsync();
        var (email, _) = await site.EmailAsync("Bulk", Morning, ("61412345678", null, "ok", "delivered"));
        await site.ExecuteAsync("INSERT INTO email_failures (email_id, position, location, code, reason) VALUES (@email, 0, 'line 2, number 0298765432', 'InvalidNumber', 'not a mobile')", new { email });
        await site.ExecuteAsync("UPDATE emails SET failure_count = 999999 WHERE id = @email", new { email });
        await site.SignedInAsync();

        var (_, body, _) = await site.GetAsync($"/dashboard/emails/{email}");

        Assert.Contains("line 2, number 0298765432", body, StringComparison.Ordinal);
        Assert.Contains("<p class=\"more\">... and 999998 more, counted but not listed.</p>", body, StringComparison.Ordinal);
    }
}
