using System.Net;
using System.Security.Claims;
using Mail2Sms.Gateway.Intake;
using Mail2Sms.Gateway.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mail2Sms.Web.Dashboard;

/// <summary>
/// The operator's dashboard under <c>/dashboard</c>: signed in with a cookie (operators from <c>mail2sms operator add</c>),
/// every form carrying an anti-forgery token, an operator and client address locked out for 15 minutes after 5 wrong passwords.
/// </summary>
internal static class DashboardEndpoints
{
    public const string Root = "/dashboard";
    public const string SignInPath = Root + "/sign-in";

    /// <summary>The services the dashboard needs: cookie sign-in, authorization, anti-forgery, the operators and their lockout.</summary>
    public static IServiceCollection AddDashboard(this IServiceCollection services, string? keysDirectory = null)
    {
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(cookie =>
        {
            cookie.LoginPath = SignInPath;
            cookie.Cookie.Name = "mail2sms.dashboard";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
        });
        services.AddAuthorization();
        services.AddAntiforgery(antiforgery => antiforgery.Cookie.Name = "mail2sms.antiforgery");
        // Cookie and token keys live in the database, so every node (and a restart) accepts the same cookies, unless the
        // operator names a folder for them.
        var protection = services.AddDataProtection().SetApplicationName("mail2sms");
        if (keysDirectory is null)
        {
            services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider => new ConfigureOptions<KeyManagementOptions>(
                keys => keys.XmlRepository = new StoredKeyRepository(provider.GetRequiredService<GatewayState>().Storage.ProtectionKeys)));
        }
        else
        {
            // Readable by this user only: the keys are not encrypted at rest.
            var folder = OperatingSystem.IsWindows() ? Directory.CreateDirectory(keysDirectory)
                : Directory.CreateDirectory(keysDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            protection.PersistKeysToFileSystem(folder);
        }
        services.AddSingleton(provider =>
        {
            var state = provider.GetRequiredService<GatewayState>();
            return new OperatorSignIn(state.Storage.Operators, state.Lockout ?? new PasswordLockout(state.Storage.Lockouts, state.Clock));
        });
        return services;
    }

    /// <summary>Maps the sign-in, sign-out and the pages; every page but sign-in needs a signed-in operator.</summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet(SignInPath, (HttpContext context, string? returnUrl) => IsReturnable(returnUrl)
            ? SignInPage(context, returnUrl, null, StatusCodes.Status200OK)
            : SignInPage(context, null, NotReturnable, StatusCodes.Status400BadRequest)).AllowAnonymous();
        app.MapPost(SignInPath, SignInAsync).AllowAnonymous();
        var pages = app.MapGroup(Root).RequireAuthorization();
        pages.MapPost("/sign-out", SignOutAsync);
        pages.MapGet("/", DashboardPages.OverviewAsync);
        pages.MapGet("/messages", DashboardPages.MessagesAsync);
        pages.MapGet("/emails/{id:long}", DashboardPages.EmailAsync);
        pages.MapGet("/sms/{id:long}", DashboardPages.SmsAsync);
        pages.MapGet("/rejected", DashboardPages.RejectedAsync);
        pages.MapGet("/replies", DashboardPages.RepliesAsync);
        pages.MapPost("/replies/{id:long}/assign", DashboardPages.AssignReplyAsync);
        AccountPages.Map(pages);
        pages.MapGet("/test-email", TestEmailPage.Form);
        pages.MapPost("/test-email", TestEmailPage.SendAsync);
        return app;
    }

    private static async Task<IResult> SignInAsync(HttpContext context, IAntiforgery antiforgery, OperatorSignIn operators)
    {
        if (!await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
        {
            return SignInPage(context, null, "The form had expired; sign in again.", StatusCodes.Status400BadRequest);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var name = form["name"].ToString().Trim();
        var returnUrl = form["returnUrl"].ToString();
        if (!IsReturnable(returnUrl))
        {
            return SignInPage(context, null, NotReturnable, StatusCodes.Status400BadRequest);
        }

        var outcome = await operators.CheckAsync(name, form["password"].ToString(), context.Connection.RemoteIpAddress, context.RequestAborted).ConfigureAwait(false);
        if (outcome.LockedUntil is { } until)
        {
            return SignInPage(context, returnUrl, $"Too many wrong passwords from {context.Connection.RemoteIpAddress}: sign-in is locked until {Layout.When(until)}.", StatusCodes.Status429TooManyRequests);
        }

        if (!outcome.SignedIn)
        {
            return SignInPage(context, returnUrl, "Wrong name or password.", StatusCodes.Status401Unauthorized);
        }

        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], CookieAuthenticationDefaults.AuthenticationScheme))).ConfigureAwait(false);
        return Results.Redirect(returnUrl.Length > 0 ? returnUrl : Root + "/");
    }

    private const string NotReturnable = "The return address must be a page of this dashboard (a path that begins with /dashboard/).";

    // Only back to a page of the dashboard: a return address from the query must not send the operator elsewhere,
    // nor carry a line break (or any control character) into the Location header.
    internal static bool IsReturnable(string? returnUrl) =>
        string.IsNullOrEmpty(returnUrl)
        || ((returnUrl == Root || returnUrl.StartsWith(Root + "/", StringComparison.Ordinal))
            && !returnUrl.Any(c => char.IsControl(c) || c == '\\'));

    private static async Task<IResult> SignOutAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
        {
            return Results.BadRequest("The form had expired; reload the page.");
        }

        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
        return Results.Redirect(SignInPath);
    }

    private static IResult SignInPage(HttpContext context, string? returnUrl, string? problem, int status)
    {
        var body = new Html();
        Layout.Problem(body, problem);

        body.Add($"""
            <form method="post" action="{SignInPath}" class="sign-in">
            {Layout.AntiforgeryField(context)}
            <input type="hidden" name="returnUrl" value="{returnUrl ?? string.Empty}">
            <label>Name <input name="name" id="name" autocomplete="username" required autofocus></label>
            <label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label>
            <button type="submit" id="sign-in">Sign in</button>
            </form>
            """);
        return Layout.Page(context, "Sign in", body, status, signedIn: false);
    }
}

/// <summary>
/// Checks an operator's password under the password lockout: failures count against (operator, client address) when the
/// operator exists, against the client address alone when it does not, so nobody can lock an operator out from elsewhere;
/// a locked key is refused without its password being looked at.
/// </summary>
internal sealed class OperatorSignIn(IOperators operators, PasswordLockout lockout)
{
    public readonly record struct Outcome(bool SignedIn, DateTimeOffset? LockedUntil);

    public async Task<Outcome> CheckAsync(string name, string password, IPAddress? client, CancellationToken cancellationToken)
    {
        var key = name.Length > 0 && await operators.ExistsAsync(name, cancellationToken).ConfigureAwait(false)
            ? LockoutKey.Operator(name, client) : LockoutKey.Stranger(client);
        // Reserved before the slow hash, so parallel guesses count before any of them is verified.
        var attempt = await lockout.BeginAttemptAsync(key, cancellationToken).ConfigureAwait(false);
        if (attempt.RefusedUntil is { } until)
        {
            return new Outcome(false, until);
        }

        if (name.Length > 0 && password.Length > 0 && await operators.VerifyAsync(name, password, cancellationToken).ConfigureAwait(false))
        {
            await lockout.SucceedAsync(key, cancellationToken).ConfigureAwait(false);
            return new Outcome(true, null);
        }

        return new Outcome(false, await lockout.FailedAsync(attempt, PasswordPath.Dashboard, cancellationToken).ConfigureAwait(false));
    }
}
