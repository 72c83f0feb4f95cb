using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Mail2Sms.Web.Dashboard;

/// <summary>The frame every dashboard page shares: navigation, the operator and sign-out, the styles; and the headers that keep it safe.</summary>
internal static class Layout
{
    private const string Styles = """
        body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
        header { display: flex; justify-content: space-between; align-items: center; padding: .5rem 1rem; background: #1d2330; color: #fff; }
        header a { color: #fff; margin-right: 1rem; text-decoration: none; }
        header form { margin: 0; }
        main { padding: 1rem; }
        table { border-collapse: collapse; background: #fff; width: 100%; margin-bottom: 1rem; }
        th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e1e4ea; vertical-align: top; }
        .text { white-space: pre-wrap; }
        .status { font-weight: 600; }
        .s-delivered, .s-emailed, .s-kept { color: #176b2c; }
        .s-failed, .s-expired, .s-unmatched, .s-ambiguous { color: #a3261b; }
        .s-queued, .s-uncertain, .s-submitted { color: #7a5b00; }
        .problem { color: #a3261b; font-weight: 600; }
        .notice { color: #176b2c; font-weight: 600; }
        form.assign { margin: 0 0 .3rem; }
        button.candidate { text-align: left; }
        dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }
        dt { color: #5a6275; }
        dd { margin: 0; }
        td.changes form { display: inline-block; margin: 0 .3rem .2rem 0; }
        input[type=number] { width: 7rem; }
        caption { text-align: left; font-weight: 600; padding: .3rem 0; }
        form.search, form.sign-in, form.edit { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; margin-bottom: 1rem; }
        form.sign-in { flex-direction: column; align-items: start; max-width: 20rem; }
        section.sms { background: #fff; padding: .5rem 1rem; margin-bottom: 1rem; border: 1px solid #e1e4ea; }
        """;

    /// <summary>A whole page; the navigation and sign-out only for a signed-in operator.</summary>
    public static IResult Page(HttpContext context, string title, Html body, int status = StatusCodes.Status200OK, bool signedIn = true)
    {
        // Nothing but this page's own styles runs or loads: a script a customer slipped past the encoding still would not run.
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        var page = new Html();
        page.Add($"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{title} · Mail2Sms</title><style>{new Html.Markup(Styles)}</style></head>
            <body><header><nav><strong>Mail2Sms</strong> 
            """);
        if (signedIn)
        {
            page.Add($"""
                <a href="{DashboardEndpoints.Root}/">Overview</a><a href="{DashboardEndpoints.Root}/messages">Messages</a><a href="{DashboardEndpoints.Root}/rejected">Refused</a><a href="{DashboardEndpoints.Root}/replies">Replies</a><a href="{DashboardEndpoints.Root}/accounts">Accounts</a><a href="{DashboardEndpoints.Root}/test-email">Send a test</a></nav>
                <form method="post" action="{DashboardEndpoints.Root}/sign-out">{AntiforgeryField(context)}<span>{context.User.Identity?.Name}</span> <button type="submit" id="sign-out">Sign out</button></form>
                """);
        }
        else
        {
            page.Add($"</nav>");
        }

        page.Add($"""</header><main><h1>{title}</h1>{body.ToMarkup()}</main></body></html>""");
        return Results.Content(page.ToString(), "text/html; charset=utf-8", statusCode: status);
    }

    /// <summary>Adds what went wrong, when something did, as the page's alert.</summary>
    public static void Problem(Html body, string? problem)
    {
        if (problem is not null)
        {
            body.Add($"""<p class="problem" role="alert">{problem}</p>""");
        }
    }

    /// <summary>The hidden field with this request's anti-forgery token, for a form that posts.</summary>
    public static Html.Markup AntiforgeryField(HttpContext context)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return new Html().Add($"""<input type="hidden" name="{tokens.FormFieldName}" value="{tokens.RequestToken}">""").ToMarkup();
    }

    /// <summary>A time as the dashboard shows it: UTC, to the second.</summary>
    public static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
