using System.Net;
using Mail2Sms.Core.Accounts;
using static Mail2Sms.Web.Tests.PageText;

namespace Mail2Sms.Web.Tests;

/// <summary>An operator changes accounts from the dashboard: each form posts, the change is in the store, and the page says so or why not.</summary>
public sealed class AccountEditingTests
{
    private const string Page = "/dashboard/accounts/" + DashboardSite.Account;

    [Fact]
    public async Task A_new_account_is_created_from_the_list_and_a_second_with_its_id_is_refused_with_the_reason()
    {
        await using var site = await DashboardSite.StartAsync();
        await site.SignedInAsync();

        var created = await site.PostAsync("/dashboard/accounts", "/dashboard/accounts", ("id", "CI00000002"), ("country", "nz"), ("sender", "Acme"), ("relaxed", "true"),
            ("credits", "250"), ("lowCreditWarning", "20"));
        Assert.Equal((HttpStatusCode.SeeOther, "/dashboard/accounts/CI00000002?done=created"), (created.Status, created.Location));
        var account = await site.Accounts.FindAccountAsync("CI00000002");
        Assert.Equal(("NZ", "Acme", true, 250L, 20L), (account!.Country, account.Sender, account.RelaxedNumbers, account.Credits, account.LowCreditWarning));
        var page = (await site.GetAsync(created.Location!)).Body;
        Assert.Contains("""<p class="notice" role="status" id="notice">Account created.</p>""", page, StringComparison.Ordinal);

        foreach (var (fields, reason) in new (string, string)[][]
        {
            [("id", "CI00000002")],
            [("id", "CI00000003"), ("country", "XX")],
            [("id", "CI00000003"), ("credits", "lots")],
            [("id", "CI 3<b>")],
        }.Zip(["Account CI00000002 already exists.", "'XX' is not an ISO 3166 region that phone numbers are known for, such as AU.", "Opening credits is 'lots'; it must be a whole number, 0 or more.",
            "'CI 3<b>' is not an account ID: use 1 to 32 letters, digits, - or _, such as CI00123456."]))
        {
            var refused = await site.PostAsync("/dashboard/accounts", "/dashboard/accounts", fields);
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            Assert.Contains($"Accounts {reason} Account", Text(refused.Body), StringComparison.Ordinal);
        }

        Assert.Null(await site.Accounts.FindAccountAsync("CI00000003"));
    }

    [Fact]
    public async Task Settings_saved_from_the_form_are_what_intake_reads_and_the_page_shows()
    {
        await using var site = await DashboardSite.StartAsync();
        await site.SignedInAsync();

        var saved = await site.PostAsync(Page + "/settings", Page, ("country", "NZ"), ("sender", "Acme Ops"), ("relaxed", "true"), ("maxParts", "3"), ("replyWindowDays", "30"),
            ("lowCreditWarning", "50"), ("smsPerMinute", "120"));
        Assert.Equal((HttpStatusCode.SeeOther, Page + "?done=settings"), (saved.Status, saved.Location));
        Assert.Equal(new Core.Intake.Account(DashboardSite.Account, "NZ", RelaxedNumbers: true, MaxParts: 3), await site.Accounts.AccountRulesAsync(DashboardSite.Account, partSizes: null));
        var page = (await site.GetAsync(saved.Location!)).Body;
        Assert.Contains("""<dd id="numbers">any 8 to 15 digits, at most 3 parts an SMS</dd>""", page, StringComparison.Ordinal);
        Assert.Contains("""<dd id="reply-window">matched within 30 days</dd>""", page, StringComparison.Ordinal);
        Assert.Contains("""<dd id="sender">Acme Ops</dd>""", page, StringComparison.Ordinal);
        Assert.Contains("""<input type="checkbox" name="relaxed" value="true" id="set-relaxed" checked>""", page, StringComparison.Ordinal);

        // Every field is on the form: one left empty or unticked clears its setting.
        await site.PostAsync(Page + "/settings", Page, ("country", string.Empty), ("sender", string.Empty), ("maxParts", "12"), ("replyWindowDays", string.Empty));
        var account = await site.Accounts.FindAccountAsync(DashboardSite.Account);
        Assert.Equal((null, null, false, 12, null, 0L, 0), (account!.Country, account.Sender, account.RelaxedNumbers, account.MaxParts, account.ReplyWindowDays, account.LowCreditWarning, account.SmsPerMinute));

        var refused = await site.PostAsync(Page + "/settings", Page, ("country", "AU"), ("maxParts", "300"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("At most 300 parts an SMS cannot be: give 1 to 255 (an SMS of more parts is refused).", refused.Body, StringComparison.Ordinal);
        Assert.Null((await site.Accounts.FindAccountAsync(DashboardSite.Account))!.Country);
    }

    [Fact]
    public async Task Credits_given_and_taken_back_go_into_the_ledger_with_the_operator_and_never_below_zero()
    {
        await using var site = await DashboardSite.StartAsync();
        await site.SignedInAsync();

        Assert.Equal(HttpStatusCode.SeeOther, (await site.PostAsync(Page + "/credits", Page, ("delta", "250"), ("reason", "invoice <b>42</b>"))).Status);
        Assert.Equal(HttpStatusCode.SeeOther, (await site.PostAsync(Page + "/credits", Page, ("delta", "-50"), ("reason", string.Empty))).Status);
        var refused = await site.PostAsync(Page + "/credits", Page, ("delta", "-1000"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("Account CI00000001 has 700 credits; taking 1000 would leave it below zero.", refused.Body, StringComparison.Ordinal);
        Assert.Contains("&#x27;ten&#x27; is not a number of credits", (await site.PostAsync(Page + "/credits", Page, ("delta", "ten"))).Body, StringComparison.Ordinal);

        var page = (await site.GetAsync(Page)).Body;
        Assert.Contains("""<dd id="credits">700</dd>""", page, StringComparison.Ordinal);
        Assert.Equal(
            ["2026-11-26 12:00:00 UTC -50 700 taken back (by ops)", "2026-11-26 12:00:00 UTC +250 750 invoice <b>42</b> (by ops)", "2026-11-26 12:00:00 UTC +500 500 opening credits"],
            Rows(Table(page, "ledger")));
        Assert.DoesNotContain("<b>42", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Networks_are_allowed_and_removed_and_one_that_is_not_a_network_is_refused_with_an_example()
    {
        await using var site = await DashboardSite.StartAsync();
        await site.SignedInAsync();

        Assert.Equal(HttpStatusCode.SeeOther, (await site.PostAsync(Page + "/networks", Page, ("network", "203.0.113.7/24"))).Status);
        Assert.Equal(HttpStatusCode.SeeOther, (await site.PostAsync(Page + "/networks", Page, ("network", "2001:db8::1"))).Status);
        Assert.Contains("such as 203.0.113.5 or 203.0.113.0/24", (await site.PostAsync(Page + "/networks", Page, ("network", "203.0.113"))).Body, StringComparison.Ordinal);
        Assert.Equal(["2001:db8::1/128 Remove", "203.0.113.0/24 Remove"], Rows(Table((await site.GetAsync(Page)).Body, "networks")));

        var removed = await site.PostAsync(Page + "/networks/remove", Page, ("network", "203.0.113.0/24"));
        Assert.Equal((HttpStatusCode.SeeOther, Page + "?done=network-removed"), (removed.Status, removed.Location));
        Assert.Equal(["2001:db8::1/128"], await site.Accounts.AllowedNetworksAsync(DashboardSite.Account));
        Assert.Contains("203.0.113.0/24 was not allowed for account CI00000001.", (await site.PostAsync(Page + "/networks/remove", Page, ("network", "203.0.113.0/24"))).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_are_added_disabled_enabled_given_receipts_and_a_new_password_that_then_authenticates()
    {
        await using var site = await DashboardSite.StartAsync();
        await site.Accounts.AllowIpAsync(DashboardSite.Account, "203.0.113.0/24");
        await site.SignedInAsync();

        Assert.Equal(HttpStatusCode.SeeOther, (await site.PostAsync(Page + "/users", Page, ("address", "Ops@Example.com"), ("password", "first pw"), ("receiptEmails", "true"))).Status);
        Assert.Equal(HttpStatusCode.SeeOther, (await site.PostAsync(Page + "/users", Page, ("address", "*@monitor.example.com"), ("password", string.Empty))).Status);
        Assert.Contains("*@monitor.example.com is already a user of account CI00000001.",
            (await site.PostAsync(Page + "/users", Page, ("address", "*@monitor.example.com"))).Body, StringComparison.Ordinal);
        var refused = await site.PostAsync(Page + "/users", Page, ("address", "ops@@example.com"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("'ops@@example.com' is not an email address or a *@domain pattern: the part before @ holds characters an address cannot have unquoted.",
            Text(refused.Body), StringComparison.Ordinal);

        await site.PostAsync(Page + "/users/change", Page, ("address", "ops@example.com"), ("disabled", "true"));
        await site.PostAsync(Page + "/users/change", Page, ("address", "*@monitor.example.com"), ("receiptEmails", "true"));
        Assert.Equal(["*@monitor.example.com IP only on Disable Receipt emails off", "ops@example.com password, disabled on Enable Receipt emails off Set password"],
            Rows(Table((await site.GetAsync(Page)).Body, "users")));
        Assert.Empty(await site.Accounts.SenderCandidatesAsync("ops@example.com").ContinueWith(t => t.Result.Where(c => c.Address == "ops@example.com").ToList()));

        await site.PostAsync(Page + "/users/change", Page, ("address", "ops@example.com"), ("disabled", "false"));
        var changed = await site.PostAsync(Page + "/users/change", Page, ("address", "ops@example.com"), ("password", "second pw"));
        Assert.Equal((HttpStatusCode.SeeOther, Page + "?done=user-changed"), (changed.Status, changed.Location));
        var ops = Assert.Single(await site.Accounts.SenderCandidatesAsync("ops@example.com"), c => c.Address == "ops@example.com");
        Assert.True(PasswordHasher.Verify("second pw", ops.PasswordHash!));
        Assert.False(PasswordHasher.Verify("first pw", ops.PasswordHash!));

        Assert.Contains("Type the new password first.", (await site.PostAsync(Page + "/users/change", Page, ("address", "ops@example.com"), ("password", string.Empty))).Body, StringComparison.Ordinal);
        Assert.Contains("*@monitor.example.com is a pattern: patterns authenticate by IP address only and have no password.",
            (await site.PostAsync(Page + "/users/change", Page, ("address", "*@monitor.example.com"), ("password", "pw"))).Body, StringComparison.Ordinal);
        var page = (await site.GetAsync(Page)).Body;
        Assert.DoesNotContain("second pw", page, StringComparison.Ordinal);
        Assert.DoesNotContain("first pw", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_api_key_made_on_the_page_is_shown_once_works_and_stops_working_when_revoked()
    {
        await using var site = await DashboardSite.StartAsync();
        await site.SignedInAsync();

        var made = await site.PostAsync(Page + "/api-keys", Page, ("name", "billing <system>"));
        Assert.Equal(HttpStatusCode.OK, made.Status);
        var key = System.Text.RegularExpressions.Regex.Match(Text(made.Body), @"New API key 1 \(billing <system>\): (m2s_[A-Za-z0-9_-]{43}) — copy it now").Groups[1].Value;
        Assert.NotEmpty(key);
        Assert.DoesNotContain("<system>", made.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await AccountWithAsync(site, key));

        var page = (await site.GetAsync(Page)).Body;
        Assert.DoesNotContain(key, page, StringComparison.Ordinal);
        Assert.Equal(["1 billing <system> 2026-11-26 12:00:00 UTC active Revoke"], Rows(Table(page, "api-keys")));

        var revoked = await site.PostAsync(Page + "/api-keys/revoke", Page, ("key", "1"));
        Assert.Equal((HttpStatusCode.SeeOther, Page + "?done=api-key-revoked"), (revoked.Status, revoked.Location));
        Assert.Equal(HttpStatusCode.Unauthorized, await AccountWithAsync(site, key));
        Assert.Equal(["1 billing <system> 2026-11-26 12:00:00 UTC revoked 2026-11-26 12:00:00 UTC"], Rows(Table((await site.GetAsync(Page)).Body, "api-keys")));
        Assert.Contains("Account CI00000001 has no API key 7.", (await site.PostAsync(Page + "/api-keys/revoke", Page, ("key", "7"))).Body, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> AccountWithAsync(DashboardSite site, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/account");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using var response = await site.Client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task A_change_without_the_forms_token_or_signed_out_changes_nothing()
    {
        await using var site = await DashboardSite.StartAsync();
        var signedOut = await site.PostAsync(Page + "/credits", tokenFrom: null, ("delta", "1000"));
        Assert.Equal(HttpStatusCode.Redirect, signedOut.Status);
        Assert.StartsWith("http://127.0.0.1", signedOut.Location, StringComparison.Ordinal);
        Assert.Contains("/dashboard/sign-in", signedOut.Location, StringComparison.Ordinal);

        await site.SignedInAsync();
        var forged = await site.PostAsync(Page + "/credits", tokenFrom: null, ("delta", "1000"));
        Assert.Equal(HttpStatusCode.BadRequest, forged.Status);
        Assert.Equal(500, (await site.Accounts.FindAccountAsync(DashboardSite.Account))!.Credits);
    }
}
