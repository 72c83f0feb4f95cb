using System.Globalization;
using Mail2Sms.Gateway.Storage;
using Microsoft.AspNetCore.Http;

namespace Mail2Sms.Web.Dashboard;

/// <summary>The pages: overview, messages (search), one email with each SMS's timeline, replies.</summary>
internal static class DashboardPages
{
    private static readonly string[] SmsStatuses = ["queued", "submitted", "delivered", "failed", "expired", "unknown"];
    private static readonly string[] ReplyStatuses = ["emailed", "ambiguous", "unmatched", "kept"];

    public static async Task<IResult> OverviewAsync(HttpContext context, GatewayState state)
    {
        var store = Store(state);
        var overview = await store.OverviewAsync(context.RequestAborted).ConfigureAwait(false);
        var chart = await store.PerMinuteAsync(cancellationToken: context.RequestAborted).ConfigureAwait(false);
        var bound = state.BoundBinds();
        var body = new Html();
        body.Add($"""
            <dl>
            <dt>Queued SMS</dt><dd id="queued">{overview.Queued}</dd>
            <dt>Oldest queued</dt><dd id="oldest-queued">{(overview.OldestQueuedAt is { } oldest ? Layout.When(oldest) : "none")}</dd>
            <dt>SMSC binds</dt><dd id="binds" class="{(bound > 0 ? "s-delivered" : "s-failed")}">{bound} bound of {state.Binds} configured</dd>
            <dt>Accounts</dt><dd id="accounts">{overview.Accounts}, {overview.Credits:N0} credits in all</dd>
            </dl>
            <h2>SMS accepted today (UTC), by status now</h2>
            <table id="today"><thead><tr><th>Status</th><th>SMS</th></tr></thead><tbody>
            """);
        foreach (var count in overview.Today)
        {
            body.Add($"""<tr><td class="status s-{count.Status}">{count.Status}</td><td>{count.Count}</td></tr>""");
        }

        body.Add($"</tbody></table>");
        OverviewChart.Add(body, chart);
        body.Add($"<h2>Recently refused recipients</h2>");
        RefusedTable(body, overview.Refused);
        return Layout.Page(context, "Overview", body);
    }

    public static async Task<IResult> MessagesAsync(HttpContext context, GatewayState state, string? number, string? account, string? status, string? text, int? page)
    {
        var search = new SmsSearch(number, account, status, text, Math.Max(page ?? 1, 1));
        var found = await Store(state).SearchAsync(search, context.RequestAborted).ConfigureAwait(false);
        var body = new Html();
        body.Add($"""
            <form method="get" action="{DashboardEndpoints.Root}/messages" class="search">
            <label>Number <input name="number" value="{number}"></label>
            <label>Account <input name="account" value="{account}"></label>
            <label>Status <select name="status"><option value="">any</option>
            """);
        foreach (var option in SmsStatuses)
        {
            body.Add($"""<option{new Html.Markup(option == status ? " selected" : string.Empty)}>{option}</option>""");
        }

        body.Add($"""
            </select></label>
            <label>Text <input name="text" value="{text}"></label>
            <button type="submit" id="search">Search</button>
            </form>
            <table id="messages"><thead><tr><th>SMS</th><th>Accepted</th><th>Account</th><th>Number</th><th>Status</th><th>Parts</th><th>Subject</th><th>Text</th></tr></thead><tbody>
            """);
        foreach (var sms in found.Take(DashboardStore.PageSize))
        {
            body.Add($"""
                <tr id="sms-{sms.Id}"><td><a href="{DashboardEndpoints.Root}/emails/{sms.EmailId}#sms-{sms.Id}">{sms.Id}</a></td><td>{Layout.When(sms.CreatedAt)}</td>
                <td>{sms.AccountId}</td><td>{sms.Number}{(sms.Name is null ? string.Empty : " (" + sms.Name + ")")}</td><td class="status s-{sms.Status}">{sms.Status}</td>
                <td>{sms.Parts}</td><td class="subject">{sms.Subject}</td><td class="text">{sms.Text}</td></tr>
                """);
        }

        body.Add($"</tbody></table><nav class=\"pages\">");
        if (search.Page > 1)
        {
            body.Add($"""<a href="{PageLink(search, search.Page - 1)}" rel="prev">Newer</a> """);
        }

        body.Add($"page {search.Page}");
        if (found.Count > DashboardStore.PageSize)
        {
            body.Add($""" <a href="{PageLink(search, search.Page + 1)}" rel="next">Older</a>""");
        }

        body.Add($"</nav>");
        return Layout.Page(context, "Messages", body);
    }

    public static async Task<IResult> SmsAsync(HttpContext context, GatewayState state, long id) =>
        await Store(state).EmailOfSmsAsync(id, context.RequestAborted).ConfigureAwait(false) is { } email
            ? Results.Redirect(string.Create(CultureInfo.InvariantCulture, $"{DashboardEndpoints.Root}/emails/{email}#sms-{id}"))
            : Results.NotFound();

    public static async Task<IResult> EmailAsync(HttpContext context, GatewayState state, long id)
    {
        if (await Store(state).EmailAsync(id, context.RequestAborted).ConfigureAwait(false) is not { } email)
        {
            return Results.NotFound();
        }

        var body = new Html();
        body.Add($"""
            <dl>
            <dt>Subject</dt><dd id="subject">{email.Subject}</dd>
            <dt>Account</dt><dd>{email.AccountId}</dd>
            <dt>From</dt><dd>{email.Originator ?? email.MailFrom} (MAIL FROM {email.MailFrom}{(email.ClientIp is null ? string.Empty : ", client " + email.ClientIp)})</dd>
            <dt>Received</dt><dd>{Layout.When(email.ReceivedAt)}</dd>
            <dt>Format</dt><dd>{email.Format}</dd>
            <dt>Credits</dt><dd>{email.Credits}</dd>
            </dl>
            """);
        if (email.Refused.Count > 0)
        {
            body.Add($"<h2>Refused at acceptance</h2>");
            RefusedTable(body, email.Refused);
        }

        foreach (var sms in email.Sms)
        {
            Timeline(body, sms);
        }

        return Layout.Page(context, string.Create(CultureInfo.InvariantCulture, $"Email {email.Id}"), body);
    }

    public static async Task<IResult> RepliesAsync(HttpContext context, GatewayState state, string? status)
    {
        var shown = ReplyStatuses.Contains(status) ? status : null;
        var replies = await ReplyStore.ListAsync(state.Database, shown, 200, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        var body = new Html();
        body.Add($"""<nav class="filters"><a href="{DashboardEndpoints.Root}/replies">all</a>""");
        foreach (var filter in ReplyStatuses)
        {
            body.Add($""" · <a href="{DashboardEndpoints.Root}/replies?status={filter}">{filter}</a>""");
        }

        body.Add($"""
            </nav><p>Emailed: sent to whoever sent the SMS it answers. Ambiguous: emailed to the latest of several it may answer. Unmatched: answers no SMS; kept here for you.</p>
            <table id="replies"><thead><tr><th>Reply</th><th>Received</th><th>Mobile</th><th>To</th><th>Status</th><th>Answers</th><th>Text</th></tr></thead><tbody>
            """);
        foreach (var reply in replies)
        {
            body.Add($"""<tr id="reply-{reply.Id}"><td>{reply.Id}</td><td>{Layout.When(reply.ReceivedAt)}</td><td>{reply.Mobile}</td><td>{reply.ToAddress}</td><td class="status s-{reply.Status}">{reply.Status}</td><td>""");
            if (reply.SmsId is { } sms)
            {
                body.Add($"""<a href="{DashboardEndpoints.Root}/sms/{sms}">SMS {sms}</a> of {reply.AccountId}""");
            }
            else
            {
                body.Add($"no SMS");
            }

            body.Add($"""</td><td class="text">{reply.Text}</td></tr>""");
        }

        body.Add($"</tbody></table>");
        return Layout.Page(context, "Replies", body);
    }

    private static void Timeline(Html body, SmsDetail sms)
    {
        body.Add($"""
            <section class="sms" id="sms-{sms.Id}"><h2>SMS {sms.Id} to {sms.Number}{(sms.Name is null ? string.Empty : " (" + sms.Name + ")")}: <span class="status s-{sms.Status}">{sms.Status}</span></h2>
            <p class="text">{sms.Text}</p>
            <ol class="timeline">
            <li>{Layout.When(sms.CreatedAt)}: accepted, {sms.Parts} part(s), {sms.Encoding}</li>
            """);
        if (sms.SubmittedAt is { } submitted)
        {
            body.Add($"""<li>{Layout.When(submitted)}: submitted (attempt {sms.Attempts}), SMSC IDs {string.Join(", ", sms.Submitted.Select(p => p.SmscMessageId))}</li>""");
        }

        foreach (var part in sms.Submitted.Where(p => p.ReceiptAt is not null))
        {
            body.Add($"""<li>{Layout.When(part.ReceiptAt!.Value)}: receipt for part {part.Part} ({part.SmscMessageId}): {part.ReceiptState ?? part.Status}</li>""");
        }

        if (sms.FinalAt is { } final)
        {
            body.Add($"""<li>{Layout.When(final)}: <span class="status s-{sms.Status}">{sms.Status}</span>{(sms.LastError is null ? string.Empty : ": " + sms.LastError)}</li>""");
        }
        else if (sms.LastError is not null)
        {
            body.Add($"""<li>last attempt failed, will retry: {sms.LastError}</li>""");
        }

        foreach (var reply in sms.Replies)
        {
            body.Add($"""<li class="reply">{Layout.When(reply.ReceivedAt)}: reply from {reply.Mobile} ({reply.Status}): <span class="text">{reply.Text}</span></li>""");
        }

        body.Add($"</ol></section>");
    }

    private static void RefusedTable(Html body, IReadOnlyList<RefusedRecipient> refused)
    {
        body.Add($"""<table class="refused"><thead><tr><th>Email</th><th>Received</th><th>Account</th><th>Recipient</th><th>Reason</th></tr></thead><tbody>""");
        foreach (var r in refused)
        {
            body.Add($"""<tr><td><a href="{DashboardEndpoints.Root}/emails/{r.EmailId}">{r.EmailId}</a></td><td>{Layout.When(r.At)}</td><td>{r.AccountId}</td><td>{r.Location}</td><td>{r.Reason}</td></tr>""");
        }

        body.Add($"</tbody></table>");
    }

    private static string PageLink(SmsSearch search, int page) =>
        DashboardEndpoints.Root + "/messages?" + string.Join('&', new (string Key, string? Value)[]
        {
            ("number", search.Number), ("account", search.AccountId), ("status", search.Status), ("text", search.Text),
            ("page", page.ToString(CultureInfo.InvariantCulture)),
        }.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value!)));

    private static DashboardStore Store(GatewayState state) => new(state.Database, state.Clock);
}
