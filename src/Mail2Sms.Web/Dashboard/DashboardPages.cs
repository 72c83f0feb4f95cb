using System.Globalization;
using Mail2Sms.Core.Replies;
using Mail2Sms.Gateway.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;

namespace Mail2Sms.Web.Dashboard;

/// <summary>The pages: overview, messages (search), one email with each SMS's timeline, replies.</summary>
internal static class DashboardPages
{
    private static readonly string[] ReplyStatuses = [.. Enum.GetValues<ReplyOutcome>().Select(o => o.ToString().ToLowerInvariant())];

    public static async Task<IResult> OverviewAsync(HttpContext context, GatewayState state)
    {
        var store = state.Storage.Dashboard;
        var overview = await store.OverviewAsync(context.RequestAborted).ConfigureAwait(false);
        var chart = await store.PerMinuteAsync(cancellationToken: context.RequestAborted).ConfigureAwait(false);
        var binds = state.Binds();
        var bound = binds.Count(b => b.Bound);
        var body = new Html();
        body.Add($"""
            <dl>
            <dt>Queued SMS</dt><dd id="queued">{overview.Queued}</dd>
            <dt>Oldest queued</dt><dd id="oldest-queued">{(overview.OldestQueuedAt is { } oldest ? Layout.When(oldest) : "none")}</dd>
            <dt>SMSC binds</dt><dd id="binds" class="{(bound > 0 ? "s-delivered" : "s-failed")}">{bound} bound of {binds.Count} configured</dd>
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
        ChannelsList(body, state.Channels());
        BindsTable(body, binds, state.SmscTarget);
        OverviewChart.Add(body, chart);
        body.Add($"""<h2>Recently refused emails</h2><p><a href="{DashboardEndpoints.Root}/rejected">All refused emails</a> of the last 30 days.</p>""");
        RejectedTable(body, await state.Storage.Dashboard.RejectionsAsync(10, cancellationToken: context.RequestAborted).ConfigureAwait(false));
        body.Add($"<h2>Recently refused recipients of accepted emails</h2>");
        RefusedTable(body, overview.Refused);
        return Layout.Page(context, "Overview", body);
    }

    /// <summary>The emails refused after DATA, newest first (200), by sender when given: the reply each sender got, as they got it.</summary>
    public static async Task<IResult> RejectedAsync(HttpContext context, GatewayState state, string? sender)
    {
        var body = new Html();
        body.Add($"""
            <form method="get" action="{DashboardEndpoints.Root}/rejected" class="search">
            <label>Sender <input name="sender" value="{sender}" placeholder="nagios@"></label>
            <button type="submit" id="search">Search</button>
            </form>
            <p>Emails the gateway refused in the last 30 days (for good, 5xx, or for now, 4xx, once for each try), with the reply their sender got; a refused email sends no SMS and costs nothing. Never the body.</p>
            """);
        RejectedTable(body, await state.Storage.Dashboard.RejectionsAsync(200, sender, context.RequestAborted).ConfigureAwait(false));
        return Layout.Page(context, "Refused emails", body);
    }

    public static async Task<IResult> MessagesAsync(HttpContext context, GatewayState state, string? number, string? account, string? status, string? text, string? sender,
        string? from, string? to, int? page)
    {
        var body = new Html();
        var (fromDay, toDay) = (Day(from), Day(to));
        if (fromDay is null && !string.IsNullOrWhiteSpace(from) || toDay is null && !string.IsNullOrWhiteSpace(to))
        {
            Layout.Problem(body, "A date is a day such as 2026-11-26; the one given is left out of the search.");
        }
        else if (fromDay > toDay)
        {
            Layout.Problem(body, "From is after To: no SMS can be in between.");
        }

        var search = new SmsSearch(number, account, status, text, Math.Max(page ?? 1, 1)) { Sender = sender, From = fromDay, To = toDay };
        var found = await state.Storage.Dashboard.SearchAsync(search, context.RequestAborted).ConfigureAwait(false);
        body.Add($"""
            <form method="get" action="{DashboardEndpoints.Root}/messages" class="search">
            <label>Number <input name="number" value="{number}"></label>
            <label>Sender <input name="sender" value="{sender}" placeholder="nagios@"></label>
            <label>Account <input name="account" value="{account}"></label>
            <label>From <input name="from" type="date" value="{fromDay?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}"></label>
            <label>To <input name="to" type="date" value="{toDay?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}"></label>
            <label>Status <select name="status"><option value="">any</option>
            """);
        foreach (var option in SmsCensus.Statuses)
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
        foreach (var sms in found.Take(IDashboardQueries.PageSize))
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
        if (found.Count > IDashboardQueries.PageSize)
        {
            body.Add($""" <a href="{PageLink(search, search.Page + 1)}" rel="next">Older</a>""");
        }

        body.Add($"</nav>");
        return Layout.Page(context, "Messages", body);
    }

    public static async Task<IResult> SmsAsync(HttpContext context, GatewayState state, long id) =>
        await state.Storage.Dashboard.EmailOfSmsAsync(id, context.RequestAborted).ConfigureAwait(false) is { } email
            ? Results.Redirect(string.Create(CultureInfo.InvariantCulture, $"{DashboardEndpoints.Root}/emails/{email}#sms-{id}"))
            : Results.NotFound();

    public static async Task<IResult> EmailAsync(HttpContext context, GatewayState state, long id)
    {
        if (await state.Storage.Dashboard.EmailAsync(id, context.RequestAborted).ConfigureAwait(false) is not { } email)
        {
            return Results.NotFound();
        }

        // A REST API request has no envelope: the page has always named its sender "api".
        var mailFrom = email.Source == IntakeSource.Api ? "api" : email.MailFrom;
        var body = new Html();
        body.Add($"""
            <dl>
            <dt>Subject</dt><dd id="subject">{email.Subject}</dd>
            <dt>Account</dt><dd>{email.AccountId}</dd>
            <dt>From</dt><dd>{email.Originator ?? mailFrom} (MAIL FROM {mailFrom}{(email.ClientIp is null ? string.Empty : ", client " + email.ClientIp)})</dd>
            <dt>Received</dt><dd>{Layout.When(email.ReceivedAt)}</dd>
            <dt>Format</dt><dd>{email.Format}</dd>
            <dt>Credits</dt><dd>{email.Credits}</dd>
            </dl>
            """);
        if (email.Refused.Count > 0)
        {
            body.Add($"<h2>Refused at acceptance</h2>");
            RefusedTable(body, email.Refused);
            if (email.UnlistedFailures > 0)
            {
                body.Add($"""<p class="more">... and {email.UnlistedFailures} more, counted but not listed.</p>""");
            }
        }

        foreach (var sms in email.Sms)
        {
            Timeline(body, sms);
        }

        return Layout.Page(context, string.Create(CultureInfo.InvariantCulture, $"Email {email.Id}"), body);
    }

    public static Task<IResult> RepliesAsync(HttpContext context, GatewayState state, string? status, long? assigned) =>
        RepliesPageAsync(context, state, status, assigned, null, StatusCodes.Status200OK);

    /// <summary>Assigns reply <paramref name="id"/> to the SMS the form names, as the signed-in operator; back to the replies with a notice, or the reason it was refused.</summary>
    public static async Task<IResult> AssignReplyAsync(HttpContext context, GatewayState state, IAntiforgery antiforgery, long id)
    {
        if (!await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
        {
            return await RepliesPageAsync(context, state, null, null, "The form had expired; reload the page.", StatusCodes.Status400BadRequest).ConfigureAwait(false);
        }

        if (state.Replies is not { } replies)
        {
            return await RepliesPageAsync(context, state, null, null, "This gateway shares no reply store with its web side.", StatusCodes.Status503ServiceUnavailable).ConfigureAwait(false);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (!long.TryParse(form["sms"], NumberStyles.None, CultureInfo.InvariantCulture, out var sms))
        {
            return await RepliesPageAsync(context, state, null, null, $"'{form["sms"]}' is not an SMS ID: give the number of the SMS the reply answers.", StatusCodes.Status400BadRequest)
                .ConfigureAwait(false);
        }

        try
        {
            var by = context.User.Identity?.Name ?? throw new InvalidOperationException("A signed-in operator has no name.");
            await replies.AssignAsync(id, sms, by, context.RequestAborted).ConfigureAwait(false);
        }
        catch (StoreException refused)
        {
            return await RepliesPageAsync(context, state, null, null, refused.Message, StatusCodes.Status409Conflict).ConfigureAwait(false);
        }

        // 303: the browser follows with a GET, so reloading the page does not post the form again.
        context.Response.Headers.Location = string.Create(CultureInfo.InvariantCulture, $"{DashboardEndpoints.Root}/replies?assigned={id}#reply-{id}");
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static async Task<IResult> RepliesPageAsync(HttpContext context, GatewayState state, string? status, long? assigned, string? problem, int httpStatus)
    {
        var shown = ReplyStatuses.Contains(status) ? status : null;
        var replies = await state.Storage.Replies.ListAsync(shown, 200, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        var body = new Html();
        Layout.Problem(body, problem);

        if (replies.FirstOrDefault(r => r.Id == assigned) is { AssignedBy: not null } done)
        {
            body.Add($"""<p class="notice" role="status">Reply {done.Id} assigned to SMS {done.SmsId} of {done.AccountId}: {done.Status}.</p>""");
        }

        body.Add($"""<nav class="filters"><a href="{DashboardEndpoints.Root}/replies">all</a>""");
        foreach (var filter in ReplyStatuses)
        {
            body.Add($""" · <a href="{DashboardEndpoints.Root}/replies?status={filter}">{filter}</a>""");
        }

        body.Add($"""
            </nav><p>Emailed: sent to whoever sent the SMS it answers. Ambiguous: emailed to the latest of several it may answer. Unmatched: answers no SMS; kept here for you.
            Kept: answers an SMS sent through the REST API. Assign an unmatched or ambiguous reply to the SMS it answers to email it to whoever sent that SMS.</p>
            <table id="replies"><thead><tr><th>Reply</th><th>Received</th><th>Mobile</th><th>To</th><th>Status</th><th>Answers</th><th>Text</th><th>Assign</th></tr></thead><tbody>
            """);
        var token = Layout.AntiforgeryField(context);
        var candidates = await state.Storage.Replies.CandidatesAsync([.. replies.Where(Assignable).Select(r => r.Mobile).Distinct(StringComparer.Ordinal)], 3,
            context.RequestAborted).ConfigureAwait(false);
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

            if (reply is { AssignedBy: { } by, AssignedAt: { } at })
            {
                body.Add($"""<span class="assigned"> (assigned by {by} at {Layout.When(at)})</span>""");
            }

            body.Add($"""</td><td class="text">{reply.Text}</td><td>""");
            if (Assignable(reply))
            {
                AssignForms(body, reply, candidates[reply.Mobile], token);
            }

            body.Add($"</td></tr>");
        }

        body.Add($"</tbody></table>");
        return Layout.Page(context, "Replies", body, httpStatus);
    }

    private static bool Assignable(ReplyListing reply) => reply.Status is "unmatched" or "ambiguous";

    // A form for any SMS ID, a search for the SMS sent to the mobile, and a button for each of the latest few sent to it.
    private static void AssignForms(Html body, ReplyListing reply, IEnumerable<ReplyCandidate> candidates, Html.Markup token)
    {
        var action = string.Create(CultureInfo.InvariantCulture, $"{DashboardEndpoints.Root}/replies/{reply.Id}/assign");
        body.Add($"""
            <form method="post" action="{action}" class="assign">{token}<label>SMS <input name="sms" inputmode="numeric" size="8" required></label> <button type="submit">Assign</button></form>
            <a href="{DashboardEndpoints.Root}/messages?number={Uri.EscapeDataString(reply.Mobile)}">SMS sent to {reply.Mobile}</a>
            """);
        foreach (var candidate in candidates)
        {
            if (candidate.SmsId != reply.SmsId)
            {
                body.Add($"""
                    <form method="post" action="{action}" class="assign">{token}<input type="hidden" name="sms" value="{candidate.SmsId}"><button type="submit" class="candidate">SMS {candidate.SmsId} of {candidate.AccountId}, {Layout.When(candidate.SentAt)}: {OneLine(candidate.Text)}</button></form>
                    """);
            }
        }
    }

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length > 40 ? line[..39] + "…" : line;
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
            body.Add($"""<li class="reply">{Layout.When(reply.ReceivedAt)}: reply from {reply.Mobile} ({reply.Status}{(reply.AssignedBy is null ? string.Empty : ", assigned by " + reply.AssignedBy)}): <span class="text">{reply.Text}</span></li>""");
        }

        body.Add($"</ol></section>");
    }

    private static void ChannelsList(Html body, IReadOnlyList<Gateway.Delivery.ISmsChannel> channels)
    {
        body.Add($"""<h2>Channels</h2><ul id="channels">""");
        foreach (var channel in channels)
        {
            var health = channel.Health;
            body.Add($"""<li id="channel-{channel.Name}">{channel.Name}: <span class="status {(health.Up ? "s-delivered" : "s-failed")}">{(health.Up ? "up" : "down")}</span> ({health.Detail})</li>""");
        }

        body.Add($"</ul>");
    }

    private static void BindsTable(Html body, IReadOnlyList<Gateway.Delivery.BindStatus> binds, string? target)
    {
        if (binds.Count == 0)
        {
            return;
        }

        body.Add($"""<h2>SMSC binds{(target is null ? string.Empty : " to " + target)}</h2><table id="bind-states"><thead><tr><th>Bind</th><th>State</th><th>Since</th><th>Outstanding</th><th>Detail</th></tr></thead><tbody>""");
        foreach (var bind in binds)
        {
            var (shown, style) = bind.Bound ? ("bound", "s-delivered") : bind.Since is null ? ("connecting", "s-queued") : ("not bound, reconnecting", "s-failed");
            body.Add($"""
                <tr><td>{bind.Number}</td><td class="status {style}">{shown}</td><td>{(bind.Since is { } since ? Layout.When(since) : "--")}</td><td>{bind.Outstanding}</td>
                <td>{(bind.Bound ? "SMSC system_id " : string.Empty)}{bind.Detail}</td></tr>
                """);
        }

        body.Add($"</tbody></table>");
    }

    private static void RejectedTable(Html body, IReadOnlyList<RejectedEmail> rejected)
    {
        body.Add($"""<table id="rejected"><thead><tr><th>Received</th><th>Sender</th><th>From</th><th>Account</th><th>To</th><th>Subject</th><th>Reply</th></tr></thead><tbody>""");
        foreach (var r in rejected)
        {
            body.Add($"""
                <tr id="rejected-{r.Id}"><td>{Layout.When(r.ReceivedAt)}</td><td>{r.Originator ?? r.MailFrom}</td><td>{r.ClientIp}</td><td>{r.AccountId ?? "--"}</td>
                <td>{string.Join(", ", r.Recipients)}</td><td class="subject">{r.Subject}</td><td class="text reply" title="{r.Reason}">{r.Reply}</td></tr>
                """);
        }

        body.Add($"</tbody></table>");
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
            ("number", search.Number), ("sender", search.Sender), ("account", search.AccountId), ("status", search.Status), ("text", search.Text),
            ("from", search.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("to", search.To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ("page", page.ToString(CultureInfo.InvariantCulture)),
        }.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value!)));

    // A day as a date input sends it (yyyy-MM-dd), or null.
    private static DateOnly? Day(string? text) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;
}
