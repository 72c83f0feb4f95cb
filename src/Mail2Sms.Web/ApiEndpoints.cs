using System.Security.Cryptography;
using System.Text.Json;
using Mail2Sms.Core.Intake;
using Mail2Sms.Gateway.Intake;
using Mail2Sms.Gateway.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Mail2Sms.Web;

/// <summary>The body of <c>POST /api/v1/sms</c>.</summary>
/// <param name="Messages">The SMS to send, one per entry.</param>
/// <param name="Subject">Put before each text, as an email's subject is in format 1.</param>
public sealed record SendRequest(IReadOnlyList<MessageRequest>? Messages, string? Subject = null);

/// <summary>One SMS to send.</summary>
/// <param name="To">The number, as a format 1 recipient would write it (<c>0412345678</c>, <c>+61412345678</c>).</param>
/// <param name="Text">The text.</param>
/// <param name="Name">Who the recipient is, kept with the SMS.</param>
public sealed record MessageRequest(string? To, string? Text, string? Name = null);

/// <summary>The answer to <c>POST /api/v1/sms</c>: the request's SMS are queued.</summary>
/// <param name="Credits">What the request cost.</param>
/// <param name="Balance">The account's credits after it.</param>
/// <param name="Messages">Each message of the request, in its order.</param>
public sealed record SendResponse(long Credits, long Balance, IReadOnlyList<MessageOutcome> Messages);

/// <summary>What became of one message: an SMS queued (<see cref="Id"/>), or the reasons it was not.</summary>
public sealed record MessageOutcome(string To, long? Id, string? Number, int Parts, string? Encoding, IReadOnlyList<MessageFailure> Failures);

/// <summary>Why a message was not sent: the rule's code and a sentence a person can act on.</summary>
public sealed record MessageFailure(string Code, string Detail);

/// <summary>The account as <c>GET /api/v1/account</c> shows it.</summary>
public sealed record AccountView(string Id, long Credits, long LowCreditWarning, bool LowCredit, string? Sender, string? Country);

/// <summary>A reply from a mobile to one of the account's SMS.</summary>
public sealed record ReplyView(long Id, DateTimeOffset ReceivedAt, string From, string Text, long? SmsId);

/// <summary>
/// The REST API (<c>/api/v1</c>): send SMS through the very rules and credit transaction an email of
/// format 1 goes through, follow them, read replies and the account. Clients authenticate with
/// <c>Authorization: Bearer</c> and an API key; every refusal is an RFC 7807 problem.
/// </summary>
public static class ApiEndpoints
{
    /// <summary>Most messages in one request: as many as one email may have recipients.</summary>
    public const int MaxMessages = RecipientAdmission.DefaultMaxRecipients;

    /// <summary>The largest request body, in octets (1 MB): a larger one is refused with <c>413</c> before it is read whole.</summary>
    public const int MaxRequestBytes = 1024 * 1024;

    /// <summary>The longest <c>to</c>: a number is an email's local part, which RFC 5321 caps at 64 octets.</summary>
    public const int MaxToLength = 64;

    /// <summary>The longest <c>name</c>, kept with the SMS and shown in reports and on the dashboard.</summary>
    public const int MaxNameLength = 100;

    /// <summary>The longest <c>subject</c>: an email's subject is kept up to RFC 5322's 998-character line.</summary>
    public const int MaxSubjectLength = Core.Text.ShortText.MaxSubject;

    /// <summary>The longest <c>text</c>: one SMS is sent from it (as format 1 does, cut to what one SMS holds); this leaves room for texts that are cut.</summary>
    public const int MaxTextLength = 2000;

    /// <summary>Requests with a missing or wrong key one client address may send within a minute before it is refused for a minute (429).</summary>
    public const int MaxKeyFailures = 20;

    private const string AccountItem = "mail2sms.account";

    private const string ProblemJson = "application/problem+json";

    /// <summary>Registers what the API needs before the application is built: its OpenAPI document.</summary>
    public static IServiceCollection AddApi(this IServiceCollection services) => services.AddOpenApi();

    /// <summary>Maps <c>/api/v1</c> and the OpenAPI document <c>/openapi/v1.json</c>.</summary>
    public static WebApplication MapApi(this WebApplication app, GatewayState state)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(state);
        var store = state.Storage.ApiKeys;
        app.MapOpenApi();
        // A client address that sends MaxKeyFailures missing or wrong keys within a minute is refused for a minute, before any key is looked at;
        // counted in the store, so a client spreading its requests over the nodes gets no more tries.
        var keyFailures = new Gateway.Intake.PasswordLockout(state.Storage.Lockouts, state.Clock, MaxKeyFailures, TimeSpan.FromMinutes(1), scope: "api-key");
        var api = app.MapGroup("/api/v1").AddEndpointFilter(async (context, next) =>
        {
            // Every key failure is a stranger's: it counts against the client address alone.
            var client = Gateway.Intake.LockoutKey.Stranger(context.HttpContext.Connection.RemoteIpAddress);
            if (await keyFailures.LockedUntilAsync(client, context.HttpContext.RequestAborted).ConfigureAwait(false) is { } until)
            {
                var seconds = (long)Math.Ceiling((until - state.Clock.GetUtcNow()).TotalSeconds);
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Problem(StatusCodes.Status429TooManyRequests, "too-many-key-failures", "Too many requests without a valid API key",
                    $"This address sent {MaxKeyFailures} requests with a missing, unknown or revoked key within a minute: try again in {seconds} s, with a valid key.").ToResult();
            }

            var header = context.HttpContext.Request.Headers.Authorization.ToString();
            var account = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                ? await store.AccountOfKeyAsync(header["Bearer ".Length..].Trim(), context.HttpContext.RequestAborted).ConfigureAwait(false)
                : null;
            if (account is null)
            {
                await keyFailures.FailAsync(client, Gateway.Intake.PasswordPath.ApiKey, context.HttpContext.RequestAborted).ConfigureAwait(false);
                context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
                return Problem(StatusCodes.Status401Unauthorized, "unauthorized", "An API key is needed",
                    "Send Authorization: Bearer <key> with a key the operator made with mail2sms apikey add; this one is missing, unknown or revoked.").ToResult();
            }

            context.HttpContext.Items[AccountItem] = account;
            return await next(context).ConfigureAwait(false);
        }).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);

        api.MapPost("/sms", Task<IResult> (HttpContext context) => SendAsync(context, state, store))
            .Accepts<SendRequest>("application/json")
            .Produces<SendResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status402PaymentRequired)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithName("SendSms").WithSummary("Send one or many SMS (Idempotency-Key makes a retry safe).");
        api.MapGet("/sms/{id:long}", async Task<IResult> (long id, HttpContext context) =>
                await store.FindSmsAsync(AccountOf(context), id, context.RequestAborted).ConfigureAwait(false) is { } sms
                    ? Results.Ok(sms)
                    : Problem(StatusCodes.Status404NotFound, "not-found", "No such SMS", $"The account has no SMS {id}.").ToResult())
            .Produces<ApiSmsStatus>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetSms").WithSummary("An SMS's status, timestamps, parts and error.");
        api.MapGet("/replies", async Task<IResult> (int? limit, HttpContext context) =>
            {
                if (limit is < 1 or > 1000)
                {
                    return Invalid("limit must be from 1 to 1000.").ToResult();
                }

                var replies = await state.Storage.Replies.ListAsync(null, limit ?? 50, AccountOf(context), context.RequestAborted).ConfigureAwait(false);
                return Results.Ok(replies.Select(r => new ReplyView(r.Id, r.ReceivedAt, r.Mobile, r.Text, r.SmsId)).ToList());
            })
            .Produces<List<ReplyView>>().ProducesProblem(StatusCodes.Status400BadRequest)
            .WithName("ListReplies").WithSummary("Replies to the account's SMS, newest first (limit, default 50).");
        api.MapGet("/account", async (HttpContext context) =>
            {
                var account = await AccountsOf(state).FindAccountAsync(AccountOf(context), context.RequestAborted).ConfigureAwait(false)
                    ?? throw new InvalidOperationException("The key's account vanished.");
                return Results.Ok(new AccountView(account.Id, account.Credits, account.LowCreditWarning,
                    account.LowCreditWarning > 0 && account.Credits < account.LowCreditWarning, account.Sender, account.Country));
            })
            .Produces<AccountView>()
            .WithName("GetAccount").WithSummary("Credits, the low-credit warning and the sender.");
        return app;
    }

    private static string AccountOf(HttpContext context) => (string)context.Items[AccountItem]!;

    private static IAccountDirectory AccountsOf(GatewayState state) => state.Accounts ?? throw new InvalidOperationException("The API needs the gateway's account directory.");

    private static async Task<IResult> SendAsync(HttpContext context, GatewayState state, IApiKeys store)
    {
        var account = AccountOf(context);
        if (await ReadBodyAsync(context.Request, context.RequestAborted).ConfigureAwait(false) is not { } body)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "request-too-large", "The request is too large",
                $"A request body has at most {MaxRequestBytes} octets: send fewer messages in one request.").ToResult();
        }
        var key = context.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length == 0)
        {
            return (await SendOnceAsync(context, body, account, null, state).ConfigureAwait(false)).ToResult();
        }

        if (key.Length > 255)
        {
            return Invalid("An Idempotency-Key has at most 255 characters.").ToResult();
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(body));
        switch (await store.ClaimIdempotencyKeyAsync(account, key, hash, context.RequestAborted).ConfigureAwait(false))
        {
            case { RequestHash: var first } when first != hash:
                return Problem(StatusCodes.Status422UnprocessableEntity, "idempotency-key-reused", "This Idempotency-Key was used for another request",
                    "A request with another body was sent with this Idempotency-Key: use a new key for each new request.").ToResult();
            case { Status: { } status, Body: { } stored }:
                return new ApiReply(status, stored).ToResult();
            case not null:
                return Problem(StatusCodes.Status409Conflict, "idempotency-key-in-use", "A request with this Idempotency-Key is under way",
                    "Another request with this Idempotency-Key has not finished yet: try again in a moment to get its response.").ToResult();
        }

        ApiReply? reply = null;
        try
        {
            reply = await SendOnceAsync(context, body, account, key, state).ConfigureAwait(false);
            return reply.ToResult();
        }
        finally
        {
            // A 202 was kept with its SMS, in their commit. Any other answer is kept now, unless the gateway failed: then the retry runs afresh (nothing was committed).
            if (reply is not { Status: StatusCodes.Status202Accepted })
            {
                await store.FinishIdempotencyKeyAsync(account, key, reply is { Status: < 500 } ? new IdempotentResponse(reply.Status, reply.Json) : null).ConfigureAwait(false);
            }
        }
    }

    // With an idempotencyKey, a 202 is kept for the key in the very transaction that commits the SMS.
    private static async Task<ApiReply> SendOnceAsync(HttpContext context, byte[] body, string accountId, string? idempotencyKey, GatewayState state)
    {
        var cancellationToken = context.RequestAborted;
        SendRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<SendRequest>(body, JsonSerializerOptions.Web);
        }
        catch (JsonException e)
        {
            return Invalid($"The body must be JSON with a messages list: {e.Message}");
        }

        if (request?.Messages is not { Count: > 0 } messages || messages.Count > MaxMessages)
        {
            return Invalid($"messages must list from 1 to {MaxMessages} messages.");
        }

        if (messages.Any(m => m is null || string.IsNullOrWhiteSpace(m.To) || m.Text is null))
        {
            return Invalid("Each message needs to (a number) and text.");
        }

        if (TooLong(request) is { } tooLong)
        {
            return Problem(StatusCodes.Status400BadRequest, "field-too-long", "A field is too long", tooLong);
        }

        var intake = state.Intake ?? throw new InvalidOperationException("The API needs the gateway's IntakeService.");
        var requested = new IncomingRequest(accountId, request.Subject, [.. messages.Select(m => new RequestedSms(m.To!, m.Text!, m.Name))],
            context.Connection.RemoteIpAddress, body.Length);
        var (decision, outcome) = await intake.ReceiveAsync(requested, decided => new RequestAnswer(idempotencyKey, StatusCodes.Status202Accepted, (ids, balance) =>
            JsonSerializer.Serialize(new SendResponse(decided.Acceptance!.Credits, balance, Outcomes(messages, decided, ids)), JsonSerializerOptions.Web)),
            cancellationToken).ConfigureAwait(false);
        if (outcome is null)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, "refused", "No SMS can be sent",
                string.Join(" ", decision.Failures.Zip(messages).SelectMany(d => d.First.Select(r => new RecipientFailure(d.Second.To!, r).ToString()))),
                Outcomes(messages, decision, []));
        }

        if (outcome.Refusal is { } refusal)
        {
            return refusal.Code == ReasonCode.InsufficientCredits
                ? Problem(StatusCodes.Status402PaymentRequired, "insufficient-credits", "Not enough credits",
                    Reasons.InsufficientCredits(decision.Acceptance!.Credits, outcome.Balance, "request").Text)
                : Problem(StatusCodes.Status422UnprocessableEntity, "refused", "No SMS can be sent", refusal.Text);
        }

        return new ApiReply(StatusCodes.Status202Accepted, outcome.Answer!);
    }

    // The body, or null when it is larger than MaxRequestBytes: read no further than one octet past the limit.
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxRequestBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxRequestBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    // The first string field over its limit, named as the request writes it, with its length and the limit.
    private static string? TooLong(SendRequest request)
    {
        var fields = new List<(string Field, string? Value, int Limit)> { ("subject", request.Subject, MaxSubjectLength) };
        for (var i = 0; i < request.Messages!.Count; i++)
        {
            var message = request.Messages[i];
            fields.Add(($"messages[{i}].to", message.To, MaxToLength));
            fields.Add(($"messages[{i}].name", message.Name, MaxNameLength));
            fields.Add(($"messages[{i}].text", message.Text, MaxTextLength));
        }

        return fields.FirstOrDefault(f => f.Value?.Length > f.Limit) is { Field: not null } over
            ? $"{over.Field} has {over.Value!.Length} characters; at most {over.Limit} are allowed."
            : null;
    }

    private static List<MessageOutcome> Outcomes(IReadOnlyList<MessageRequest> messages, RequestDecision decision, IReadOnlyList<long> ids) =>
        [.. messages.Select((m, i) => decision.Positions[i] is { } p && decision.Acceptance!.Messages[p] is var sms
            ? new MessageOutcome(m.To!, ids.Count > p ? ids[p] : null, sms.Number, sms.Text.PartCount, sms.Text.Encoding.ToString(), [])
            : new MessageOutcome(m.To!, null, null, 0, null, [.. decision.Failures[i].Select(r => new MessageFailure(r.Code.ToString(), r.Text))]))];

    private static ApiReply Invalid(string detail) => Problem(StatusCodes.Status400BadRequest, "invalid-request", "The request is not valid", detail);

    private static ApiReply Problem(int status, string type, string title, string detail, List<MessageOutcome>? messages = null)
    {
        var problem = new ProblemDetails { Type = $"urn:mail2sms:problem:{type}", Title = title, Status = status, Detail = detail };
        if (messages is not null)
        {
            problem.Extensions["messages"] = messages;
        }

        return new ApiReply(status, JsonSerializer.Serialize(problem, JsonSerializerOptions.Web));
    }

    /// <summary>A response as written, so that the first response to an Idempotency-Key is given again byte for byte.</summary>
    private sealed record ApiReply(int Status, string Json)
    {
        public IResult ToResult() => Results.Text(Json, Status >= 400 ? ProblemJson : "application/json", System.Text.Encoding.UTF8, Status);
    }
}
