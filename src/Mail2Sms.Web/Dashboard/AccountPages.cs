using Microsoft.AspNetCore.Http;

namespace Mail2Sms.Web.Dashboard;

/// <summary>The accounts, read only: the list with credits, and one account's settings, networks, users and credit ledger.</summary>
internal static class AccountPages
{
    public static async Task<IResult> ListAsync(HttpContext context, GatewayState state)
    {
        if (state.Accounts is not { } store)
        {
            return Unavailable();
        }

        var body = new Html();
        body.Add($"""<table id="accounts"><thead><tr><th>Account</th><th>Country</th><th>Sender</th><th>Credits</th><th>Low-credit warning</th><th>SMS a minute</th></tr></thead><tbody>""");
        foreach (var account in await store.ListAccountsAsync(context.RequestAborted).ConfigureAwait(false))
        {
            body.Add($"""
                <tr><td><a href="{DashboardEndpoints.Root}/accounts/{Uri.EscapeDataString(account.Id)}">{account.Id}</a></td><td>{account.Country ?? "--"}</td><td>{account.Sender ?? "the gateway's"}</td>
                <td>{account.Credits:N0}</td><td>{(account.LowCreditWarning > 0 ? $"below {account.LowCreditWarning}" : "off")}</td><td>{(account.SmsPerMinute > 0 ? account.SmsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no cap")}</td></tr>
                """);
        }

        body.Add($"</tbody></table>");
        return Layout.Page(context, "Accounts", body);
    }

    public static async Task<IResult> AccountAsync(HttpContext context, GatewayState state, string id)
    {
        if (state.Accounts is not { } store)
        {
            return Unavailable();
        }

        if (await store.FindAccountAsync(id, context.RequestAborted).ConfigureAwait(false) is not { } account)
        {
            return Results.NotFound();
        }

        var networks = await store.AllowedNetworksAsync(account.Id, context.RequestAborted).ConfigureAwait(false);
        var body = new Html();
        body.Add($"""
            <dl>
            <dt>Credits</dt><dd id="credits">{account.Credits:N0}</dd>
            <dt>Country</dt><dd>{account.Country ?? "--"}</dd>
            <dt>Sender</dt><dd>{account.Sender ?? "the gateway's"}</dd>
            <dt>Numbers</dt><dd>{(account.RelaxedNumbers ? "any 8 to 15 digits" : "mobile numbers only")}, at most {account.MaxParts} parts an SMS</dd>
            <dt>Networks</dt><dd>{string.Join(", ", networks)}</dd>
            </dl>
            <h2>Users</h2><table id="users"><thead><tr><th>Address</th><th>Authenticates by</th><th>Receipt emails</th></tr></thead><tbody>
            """);
        foreach (var user in await store.UsersAsync(account.Id, context.RequestAborted).ConfigureAwait(false))
        {
            body.Add($"""<tr><td>{user.Address}</td><td>{(user.HasPassword ? "password" : "IP only")}{(user.Disabled ? ", disabled" : string.Empty)}</td><td>{(user.ReceiptEmails ? "on" : "off")}</td></tr>""");
        }

        body.Add($"""</tbody></table><h2>Credit ledger (newest 50)</h2><table id="ledger"><thead><tr><th>When</th><th>Change</th><th>Balance</th><th>Reason</th></tr></thead><tbody>""");
        foreach (var entry in await store.LedgerAsync(account.Id, 50, context.RequestAborted).ConfigureAwait(false))
        {
            body.Add($"""<tr><td>{Layout.When(entry.At)}</td><td>{entry.Delta:+#,0;-#,0;0}</td><td>{entry.Balance:N0}</td><td>{entry.Reason}</td></tr>""");
        }

        body.Add($"</tbody></table>");
        return Layout.Page(context, $"Account {account.Id}", body);
    }

    private static IResult Unavailable() => Results.Text("This gateway shares no account store with its web side.", statusCode: StatusCodes.Status503ServiceUnavailable);
}
