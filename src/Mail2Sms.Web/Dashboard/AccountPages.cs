using System.Globalization;
using Mail2Sms.Gateway.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mail2Sms.Web.Dashboard;

/// <summary>
/// The accounts: the list and a new account; one account's settings, credits and ledger, networks and users,
/// each changed by a form that posts (anti-forgery checked) and comes back to the account's page. A change
/// the store refuses shows its reason on the page; nothing is half done.
/// </summary>
internal static class AccountPages
{
    // What a change that worked says on the page it comes back to: fixed texts chosen by the query, so a link cannot put words on the page.
    private static readonly Dictionary<string, string> Done = new(StringComparer.Ordinal)
    {
        ["created"] = "Account created.",
        ["settings"] = "Settings saved.",
        ["credits"] = "Credits changed; the ledger shows it.",
        ["network-added"] = "Network allowed.",
        ["network-removed"] = "Network no longer allowed.",
        ["user-added"] = "User added.",
        ["user-changed"] = "User changed.",
        ["api-key-revoked"] = "API key revoked: requests with it are refused from now on.",
    };

    /// <summary>Maps the pages and the forms that change them under <paramref name="pages"/> (the signed-in group).</summary>
    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/accounts", ListAsync);
        pages.MapPost("/accounts", CreateAsync);
        pages.MapGet("/accounts/{id}", AccountAsync);
        pages.MapPost("/accounts/{id}/settings", SettingsAsync);
        pages.MapPost("/accounts/{id}/credits", CreditsAsync);
        pages.MapPost("/accounts/{id}/networks", AllowNetworkAsync);
        pages.MapPost("/accounts/{id}/networks/remove", RemoveNetworkAsync);
        pages.MapPost("/accounts/{id}/users", AddUserAsync);
        pages.MapPost("/accounts/{id}/users/change", ChangeUserAsync);
        pages.MapPost("/accounts/{id}/api-keys", AddApiKeyAsync);
        pages.MapPost("/accounts/{id}/api-keys/revoke", RevokeApiKeyAsync);
    }

    public static async Task<IResult> ListAsync(HttpContext context, GatewayState state) =>
        state.Accounts is not { } store ? Unavailable() : await ListPageAsync(context, store, problem: null, StatusCodes.Status200OK).ConfigureAwait(false);

    public static async Task<IResult> AccountAsync(HttpContext context, GatewayState state, string id, string? done) =>
        state.Accounts is not { } store ? Unavailable()
        : await AccountPageAsync(context, state, store, id, done is not null && Done.TryGetValue(done, out var notice) ? notice : null, problem: null, StatusCodes.Status200OK).ConfigureAwait(false);

    private static Task<IResult> CreateAsync(HttpContext context, GatewayState state, IAntiforgery antiforgery) =>
        ChangeAsync(context, state, antiforgery, null, async (store, form, token) =>
        {
            var id = form["id"].ToString().Trim();
            await store.AddAccountAsync(id, Text(form, "country"), Text(form, "sender"), Checked(form, "relaxed"),
                Whole(form, "credits", "Opening credits") ?? 0, Whole(form, "lowCreditWarning", "The low-credit warning") ?? 0, token).ConfigureAwait(false);
            return new(id, "created");
        });

    private static Task<IResult> SettingsAsync(HttpContext context, GatewayState state, IAntiforgery antiforgery, string id) =>
        ChangeAsync(context, state, antiforgery, id, async (store, form, token) =>
        {
            // The form shows every setting, so every one is set: an empty field clears it (or, for the reply window, is the gateway's).
            var changes = new AccountChanges
            {
                Country = form["country"].ToString(),
                Sender = form["sender"].ToString(),
                RelaxedNumbers = Checked(form, "relaxed"),
                MaxParts = (int?)Whole(form, "maxParts", "Max parts") ?? 12,
                ReplyWindowDays = (int?)Whole(form, "replyWindowDays", "The reply window") ?? 0,
                LowCreditWarning = Whole(form, "lowCreditWarning", "The low-credit warning") ?? 0,
                SmsPerMinute = (int?)Whole(form, "smsPerMinute", "The cap of SMS a minute") ?? 0,
            };
            await store.SetAccountAsync(id, changes, token).ConfigureAwait(false);
            return new(id, "settings");
        });

    private static Task<IResult> CreditsAsync(HttpContext context, GatewayState state, IAntiforgery antiforgery, string id) =>
        ChangeAsync(context, state, antiforgery, id, async (store, form, token) =>
        {
            var delta = form["delta"].ToString().Trim();
            if (!long.TryParse(delta, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var credits) || credits == 0)
            {
                throw new StoreException($"'{delta}' is not a number of credits to add (such as 500) or take back (such as -20).");
            }

            var reason = Text(form, "reason") ?? (credits > 0 ? "top-up" : "taken back");
            await store.CreditAsync(id, credits, $"{reason} (by {Operator(context)})", token).ConfigureAwait(false);
            return new(id, "credits");
        });

    private static Task<IResult> AllowNetworkAsync(HttpContext context, GatewayState state, IAntiforgery antiforgery, string id) =>
        ChangeAsync(context, state, antiforgery, id, async (store, form, token) =>
        {
            await store.AllowIpAsync(id, form["network"].ToString(), token).ConfigureAwait(false);
            return new(id, "network-added");
        });

    private static Task<IResult> RemoveNetworkAsync(HttpContext context, GatewayState state, IAntiforgery antiforgery, string id) =>
        ChangeAsync(context, state, antiforgery, id, async (store, form, token) =>
        {
            await store.DisallowIpAsync(id, form["network"].ToString(), token).ConfigureAwait(false);
            return new(id, "network-removed");
        });

    private static Task<IResult> AddUserAsync(HttpContext context, GatewayState state, IAntiforgery antiforgery, string id) =>
        ChangeAsync(context, state, antiforgery, id, async (store, form, token) =>
        {
            await store.AddUserAsync(id, form["address"].ToString(), Text(form, "password"), Checked(form, "receiptEmails"), token).ConfigureAwait(false);
            return new(id, "user-added");
        });

    // One user's change: a new password, disabled or not, receipt emails or not; each button posts the one it changes.
    private static Task<IResult> ChangeUserAsync(HttpContext context, GatewayState state, IAntiforgery antiforgery, string id) =>
        ChangeAsync(context, state, antiforgery, id, async (store, form, token) =>
        {
            var password = form.ContainsKey("password") ? form["password"].ToString() : null;
            if (password is { Length: 0 })
            {
                throw new StoreException("Type the new password first.");
            }

            await store.SetUserAsync(id, form["address"].ToString(), Flag(form, "receiptEmails"), Flag(form, "disabled"), password, token).ConfigureAwait(false);
            return new(id, "user-changed");
        });

    // A form's change: refused without a valid anti-forgery token; done, then back to the account's page (303, so a reload does not post again);
    // or refused by the store, shown on the page it came from with the reason.
    private static async Task<IResult> ChangeAsync(HttpContext context, GatewayState state, IAntiforgery antiforgery, string? id,
        Func<IAccountDirectory, IFormCollection, CancellationToken, Task<Changed>> change)
    {
        if (state.Accounts is not { } store)
        {
            return Unavailable();
        }

        if (!await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
        {
            return Results.Text("The form had expired; reload the page and try again.", statusCode: StatusCodes.Status400BadRequest);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            var changed = await change(store, form, context.RequestAborted).ConfigureAwait(false);
            if (changed.ShowOnce is { } secret)
            {
                // Shown in this response only, never in an address or a redirect.
                return await AccountPageAsync(context, state, store, changed.Id, secret, problem: null, StatusCodes.Status200OK).ConfigureAwait(false);
            }

            context.Response.Headers.Location = $"{DashboardEndpoints.Root}/accounts/{Uri.EscapeDataString(changed.Id)}?done={changed.Done}";
            return Results.StatusCode(StatusCodes.Status303SeeOther);
        }
        catch (StoreException e)
        {
            return id is null
                ? await ListPageAsync(context, store, e.Message, StatusCodes.Status400BadRequest).ConfigureAwait(false)
                : await AccountPageAsync(context, state, store, id, notice: null, e.Message, StatusCodes.Status400BadRequest).ConfigureAwait(false);
        }
    }

    private static Task<IResult> AddApiKeyAsync(HttpContext context, GatewayState state, IAntiforgery antiforgery, string id) =>
        ChangeAsync(context, state, antiforgery, id, async (_, form, token) =>
        {
            var name = Text(form, "name");
            var (key, record) = await state.Storage.ApiKeys.AddKeyAsync(id, name, token).ConfigureAwait(false);
            return new(record.AccountId, string.Empty)
            {
                ShowOnce = $"New API key {record.Id}{(name is null ? string.Empty : $" ({name})")}: {key} — copy it now: it is shown only this once, and only its hash is kept.",
            };
        });

    private static Task<IResult> RevokeApiKeyAsync(HttpContext context, GatewayState state, IAntiforgery antiforgery, string id) =>
        ChangeAsync(context, state, antiforgery, id, async (_, form, token) =>
        {
            var key = Whole(form, "key", "The key's ID") ?? throw new StoreException("Say which key to revoke.");
            await state.Storage.ApiKeys.RevokeKeyAsync(id, key, token).ConfigureAwait(false);
            return new(id, "api-key-revoked");
        });

    // What a change did: the account whose page to go back to and the notice to show there; or a secret to show once, on this response.
    private sealed record Changed(string Id, string Done)
    {
        public string? ShowOnce { get; init; }
    }

    private static async Task<IResult> ListPageAsync(HttpContext context, IAccountDirectory store, string? problem, int status)
    {
        var body = new Html();
        Layout.Problem(body, problem);
        body.Add($"""<table id="accounts"><thead><tr><th>Account</th><th>Country</th><th>Sender</th><th>Credits</th><th>Low-credit warning</th><th>Rate</th></tr></thead><tbody>""");
        foreach (var account in await store.ListAccountsAsync(context.RequestAborted).ConfigureAwait(false))
        {
            body.Add($"""
                <tr><td><a href="{DashboardEndpoints.Root}/accounts/{Uri.EscapeDataString(account.Id)}">{account.Id}</a></td><td>{account.Country ?? "--"}</td><td>{account.Sender ?? "the gateway's"}</td>
                <td>{account.Credits:N0}</td><td>{account.LowCreditWarningLevel}</td><td>{account.SmsPerMinuteCap}</td></tr>
                """);
        }

        body.Add($"""
            </tbody></table>
            <h2>New account</h2>
            <form method="post" action="{DashboardEndpoints.Root}/accounts" class="edit" id="new-account">{Layout.AntiforgeryField(context)}
            <label>Account ID <input name="id" id="new-id" required pattern="\S+" placeholder="CI00123456"></label>
            <label>Country <input name="country" id="new-country" size="4" placeholder="AU"></label>
            <label>Sender <input name="sender" id="new-sender" maxlength="16" placeholder="the gateway's"></label>
            <label><input type="checkbox" name="relaxed" value="true"> any 8 to 15 digits</label>
            <label>Opening credits <input name="credits" id="new-credits" type="number" min="0" value="0"></label>
            <label>Low-credit warning <input name="lowCreditWarning" type="number" min="0" value="0"></label>
            <button type="submit" id="create-account">Create account</button>
            </form>
            """);
        return Layout.Page(context, "Accounts", body, status);
    }

    private static async Task<IResult> AccountPageAsync(HttpContext context, GatewayState state, IAccountDirectory store, string id, string? notice, string? problem, int status)
    {
        var token = context.RequestAborted;
        if (await store.FindAccountAsync(id, token).ConfigureAwait(false) is not { } account)
        {
            return Results.NotFound();
        }

        var action = $"{DashboardEndpoints.Root}/accounts/{Uri.EscapeDataString(account.Id)}";
        var antiforgery = Layout.AntiforgeryField(context);
        var body = new Html();
        if (notice is not null)
        {
            body.Add($"""<p class="notice" role="status" id="notice">{notice}</p>""");
        }

        Layout.Problem(body, problem);
        body.Add($"""
            <dl>
            <dt>Credits</dt><dd id="credits">{account.Credits:N0}</dd>
            <dt>Country</dt><dd id="country">{account.Country ?? "none: international numbers only"}</dd>
            <dt>Sender</dt><dd id="sender">{account.Sender ?? "the gateway's"}</dd>
            <dt>Numbers</dt><dd id="numbers">{account.NumbersRule}</dd>
            <dt>Replies</dt><dd id="reply-window">matched within {account.ReplyWindow}</dd>
            <dt>Low credit</dt><dd>warning {account.LowCreditWarningLevel}</dd>
            <dt>Rate</dt><dd>{account.SmsPerMinuteCap}</dd>
            <dt>Created</dt><dd>{Layout.When(account.CreatedAt)}</dd>
            </dl>
            <h2>Settings</h2>
            <form method="post" action="{action}/settings" class="edit" id="settings">{antiforgery}
            <label>Country <input name="country" id="set-country" size="4" value="{account.Country ?? string.Empty}" placeholder="none"></label>
            <label>Sender <input name="sender" id="set-sender" maxlength="16" value="{account.Sender ?? string.Empty}" placeholder="the gateway's"></label>
            <label><input type="checkbox" name="relaxed" value="true" id="set-relaxed"{(account.RelaxedNumbers ? new Html.Markup(" checked") : default)}> any 8 to 15 digits</label>
            <label>Max parts <input name="maxParts" id="set-max-parts" type="number" min="1" max="255" value="{account.MaxParts}"></label>
            <label>Reply window (days) <input name="replyWindowDays" id="set-reply-window" type="number" min="0" max="365" value="{account.ReplyWindowDays}" placeholder="gateway's"></label>
            <label>Low-credit warning <input name="lowCreditWarning" type="number" min="0" value="{account.LowCreditWarning}"></label>
            <label>SMS a minute <input name="smsPerMinute" type="number" min="0" value="{account.SmsPerMinute}"></label>
            <button type="submit" id="save-settings">Save settings</button>
            </form>
            <h2>Credits</h2>
            <form method="post" action="{action}/credits" class="edit" id="credit">{antiforgery}
            <label>Add (negative takes back) <input name="delta" id="credit-delta" required placeholder="500"></label>
            <label>Reason <input name="reason" id="credit-reason" placeholder="top-up"></label>
            <button type="submit" id="change-credits">Change credits</button>
            </form>
            <table id="ledger"><caption>Credit ledger, newest 50</caption><thead><tr><th>When</th><th>Change</th><th>Balance</th><th>Reason</th></tr></thead><tbody>
            """);
        foreach (var entry in await store.LedgerAsync(account.Id, 50, token).ConfigureAwait(false))
        {
            body.Add($"""<tr><td>{Layout.When(entry.At)}</td><td>{entry.Delta:+#,0;-#,0;0}</td><td>{entry.Balance:N0}</td><td>{entry.Reason}</td></tr>""");
        }

        body.Add($"""</tbody></table><h2>Networks</h2><p>Mail from these addresses authenticates as the account (with a user's address).</p><table id="networks"><tbody>""");
        foreach (var network in await store.AllowedNetworksAsync(account.Id, token).ConfigureAwait(false))
        {
            body.Add($"""
                <tr><td>{network}</td><td><form method="post" action="{action}/networks/remove">{antiforgery}<input type="hidden" name="network" value="{network}">
                <button type="submit">Remove</button></form></td></tr>
                """);
        }

        body.Add($"""
            </tbody></table>
            <form method="post" action="{action}/networks" class="edit" id="allow-network">{antiforgery}
            <label>Address or range <input name="network" id="network" required placeholder="203.0.113.0/24"></label>
            <button type="submit" id="add-network">Allow</button>
            </form>
            <h2>Users</h2>
            <table id="users"><thead><tr><th>Address</th><th>Authenticates by</th><th>Receipt emails</th><th>Change</th></tr></thead><tbody>
            """);
        foreach (var user in await store.UsersAsync(account.Id, token).ConfigureAwait(false))
        {
            UserRow(body, action, antiforgery, user);
        }

        body.Add($"""
            </tbody></table>
            <form method="post" action="{action}/users" class="edit" id="add-user">{antiforgery}
            <label>Address or *@domain <input name="address" id="user-address" required placeholder="ops@example.com"></label>
            <label>Password <input name="password" id="user-password" type="password" autocomplete="new-password" placeholder="none: IP only"></label>
            <label><input type="checkbox" name="receiptEmails" value="true" id="user-receipts"> receipt emails</label>
            <button type="submit" id="add-user-button">Add user</button>
            </form>
            <h2>API keys</h2>
            <table id="api-keys"><thead><tr><th>Key</th><th>Name</th><th>Made</th><th>State</th><th></th></tr></thead><tbody>
            """);
        foreach (var key in await state.Storage.ApiKeys.KeysAsync(account.Id, token).ConfigureAwait(false))
        {
            body.Add($"""<tr><td>{key.Id}</td><td>{key.Name ?? "--"}</td><td>{Layout.When(key.CreatedAt)}</td><td>{(key.RevokedAt is { } revoked ? "revoked " + Layout.When(revoked) : "active")}</td><td>""");
            if (key.RevokedAt is null)
            {
                body.Add($"""<form method="post" action="{action}/api-keys/revoke">{antiforgery}<input type="hidden" name="key" value="{key.Id}"><button type="submit">Revoke</button></form>""");
            }

            body.Add($"</td></tr>");
        }

        body.Add($"""
            </tbody></table>
            <form method="post" action="{action}/api-keys" class="edit" id="add-api-key">{antiforgery}
            <label>Name <input name="name" id="api-key-name" placeholder="billing system"></label>
            <button type="submit" id="add-api-key-button">Make an API key</button>
            </form>
            """);
        return Layout.Page(context, $"Account {account.Id}", body, status);
    }

    private static void UserRow(Html body, string action, Html.Markup antiforgery, UserRecord user)
    {
        var form = new Html().Add($"""<form method="post" action="{action}/users/change">{antiforgery}<input type="hidden" name="address" value="{user.Address}">""").ToMarkup();
        body.Add($"""
            <tr><td class="address">{user.Address}</td><td>{(user.HasPassword ? "password" : "IP only")}{(user.Disabled ? ", disabled" : string.Empty)}</td>
            <td>{(user.ReceiptEmails ? "on" : "off")}</td><td class="changes">
            {form}<input type="hidden" name="disabled" value="{(user.Disabled ? "false" : "true")}"><button type="submit">{(user.Disabled ? "Enable" : "Disable")}</button></form>
            {form}<input type="hidden" name="receiptEmails" value="{(user.ReceiptEmails ? "false" : "true")}"><button type="submit">Receipt emails {(user.ReceiptEmails ? "off" : "on")}</button></form>
            """);
        if (!user.Address.StartsWith("*@", StringComparison.Ordinal))
        {
            body.Add($"""{form}<input type="password" name="password" autocomplete="new-password" required placeholder="new password"><button type="submit">Set password</button></form>""");
        }

        body.Add($"</td></tr>");
    }

    private static string Operator(HttpContext context) => context.User.Identity?.Name ?? "an operator";

    private static string? Text(IFormCollection form, string name) => form[name].ToString().Trim() is { Length: > 0 } text ? text : null;

    private static bool Checked(IFormCollection form, string name) => form[name].ToString() == "true";

    private static bool? Flag(IFormCollection form, string name) => form.ContainsKey(name) ? Checked(form, name) : null;

    private static long? Whole(IFormCollection form, string name, string what) =>
        Text(form, name) is not { } text ? null
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= int.MaxValue ? value
        : throw new StoreException($"{what} is '{text}'; it must be a whole number, 0 or more.");

    private static IResult Unavailable() => Results.Text("This gateway shares no account store with its web side.", statusCode: StatusCodes.Status503ServiceUnavailable);
}
