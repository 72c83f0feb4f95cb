using System.Net;
using System.Text;
using System.Text.Json;
using Dapper;
using Mail2Sms.Core.Replies;
using Mail2Sms.Gateway.Mail;
using Mail2Sms.Gateway.Storage;
using Mail2Sms.Gateway.Storage.Sqlite;

namespace Mail2Sms.Web.Tests;

/// <summary>The REST API over a real Kestrel on loopback and a real SQLite file.</summary>
public sealed class ApiTests : IAsyncLifetime
{
    private ApiHarness _api = null!;
    private string _key = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiHarness.StartAsync();
        _key = await _api.AccountAsync("CI00000001", 10, lowCreditWarning: 8);
    }

    public Task DisposeAsync() => _api.DisposeAsync().AsTask();

    // When a claim began that is now abandoned, as the store writes times.
    private static string Abandoned() => (DateTimeOffset.UtcNow - IApiKeys.AbandonedAfter - TimeSpan.FromSeconds(1)).UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    // A request body's hash, as the API keys an Idempotency-Key's request by it.
    private static string Hash(object body) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(body, JsonSerializerOptions.Web)));

    private static object One(string to, string text) => new { messages = new[] { new { to, text } } };

    private static void AssertProblem(JsonElement json, string? contentType, int status, string type)
    {
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal(($"urn:mail2sms:problem:{type}", status), (json.GetProperty("type").GetString(), json.GetProperty("status").GetInt32()));
        Assert.False(string.IsNullOrEmpty(json.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(json.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task Requests_without_a_key_with_a_wrong_key_or_with_a_revoked_key_are_401_problems_and_send_nothing()
    {
        var revoked = await _api.Keys.AddKeyAsync("CI00000001", "old");
        await _api.Keys.RevokeKeyAsync("CI00000001", revoked.Record.Id);
        foreach (var key in new[] { null, "m2s_wrong", revoked.Key })
        {
            var (status, type, json) = await _api.SendAsync(HttpMethod.Post, "/api/v1/sms", key, One("0412345678", "Hi"));
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            AssertProblem(json, type, 401, "unauthorized");
            Assert.Equal(HttpStatusCode.Unauthorized, (await _api.SendAsync(HttpMethod.Get, "/api/v1/account", key)).Status);
        }

        Assert.Empty(await _api.SmsOfAsync("CI00000001"));
    }

    [Fact]
    public async Task One_message_is_queued_and_answered_202_with_its_id_parts_and_the_credits_used()
    {
        var (status, _, json) = await _api.SendAsync(HttpMethod.Post, "/api/v1/sms", _key,
            new { subject = "Alert", messages = new[] { new { to = "0412345678", text = "Server 23 is offline.", name = "Bob" } } });
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal((1, 9), (json.GetProperty("credits").GetInt32(), json.GetProperty("balance").GetInt32()));
        var message = json.GetProperty("messages")[0];
        Assert.Equal(("0412345678", "61412345678", 1, "Gsm7"), (message.GetProperty("to").GetString(), message.GetProperty("number").GetString(),
            message.GetProperty("parts").GetInt32(), message.GetProperty("encoding").GetString()));
        Assert.Equal([("61412345678", "Alert Server 23 is offline.", "Gsm7", 1L)], await _api.SmsOfAsync("CI00000001"));

        var (got, _, sms) = await _api.SendAsync(HttpMethod.Get, $"/api/v1/sms/{message.GetProperty("id").GetInt64()}", _key);
        Assert.Equal(HttpStatusCode.OK, got);
        Assert.Equal(("queued", "Bob", 1), (sms.GetProperty("status").GetString(), sms.GetProperty("name").GetString(), sms.GetProperty("parts").GetInt32()));
        Assert.Equal(JsonValueKind.Null, sms.GetProperty("submittedAt").ValueKind);
    }

    [Fact]
    public async Task Many_messages_are_one_charge_with_a_failure_per_refused_message_and_one_sms_per_number_and_text()
    {
        var (status, _, json) = await _api.SendAsync(HttpMethod.Post, "/api/v1/sms", _key, new
        {
            messages = new[]
            {
                new { to = "0412345678", text = "Backup done." },
                new { to = "0312345678", text = "Backup done." },
                new { to = "+61412345678", text = "Backup done." },
                new { to = "0412345679", text = "Température 23 °C ☀" },
            },
        });
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(2, json.GetProperty("credits").GetInt32());
        var messages = json.GetProperty("messages");
        Assert.Equal(messages[0].GetProperty("id").GetInt64(), messages[2].GetProperty("id").GetInt64());
        Assert.Equal(JsonValueKind.Null, messages[1].GetProperty("id").ValueKind);
        Assert.Equal("InvalidNumber", messages[1].GetProperty("failures")[0].GetProperty("code").GetString());
        Assert.Equal("Ucs2", messages[3].GetProperty("encoding").GetString());
        Assert.Equal(2, (await _api.SmsOfAsync("CI00000001")).Count);
        Assert.Equal(8, await _api.CreditsOfAsync("CI00000001"));
    }

    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_gets_the_first_response_and_sends_and_charges_nothing_again_and_another_body_is_422()
    {
        var first = await _api.SendAsync(HttpMethod.Post, "/api/v1/sms", _key, One("0412345678", "Once only"), idempotencyKey: "job-42");
        var again = await _api.SendAsync(HttpMethod.Post, "/api/v1/sms", _key, One("0412345678", "Once only"), idempotencyKey: "job-42");
        Assert.Equal(HttpStatusCode.Accepted, again.Status);
        Assert.Equal(first.Json.GetRawText(), again.Json.GetRawText());
        Assert.Single(await _api.SmsOfAsync("CI00000001"));
        Assert.Equal(9, await _api.CreditsOfAsync("CI00000001"));

        var reused = await _api.SendAsync(HttpMethod.Post, "/api/v1/sms", _key, One("0412345678", "Something else"), idempotencyKey: "job-42");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.Status);
        AssertProblem(reused.Json, reused.ContentType, 422, "idempotency-key-reused");
        Assert.Single(await _api.SmsOfAsync("CI00000001"));

        // The key is the account's: another account's request with it is its own.
        var other = await _api.AccountAsync("CI00000002", 5);
        Assert.Equal(HttpStatusCode.Accepted, (await _api.SendAsync(HttpMethod.Post, "/api/v1/sms", other, One("0412345678", "Once only"), idempotencyKey: "job-42")).Status);
        Assert.Single(await _api.SmsOfAsync("CI00000002"));
    }

    [Fact]
    public async Task An_address_that_keeps_sending_wrong_keys_is_refused_for_a_minute_before_any_key_is_looked_at()
    {
        for (var i = 0; i < ApiEndpoints.MaxKeyFailures; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await _api.SendAsync(HttpMethod.Get, "/api/v1/account", i % 2 == 0 ? "m2s_guess" + i : null)).Status);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/account");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _key);
        using var response = await _api.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.InRange(int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        AssertProblem(problem, response.Content.Headers.ContentType?.MediaType, 429, "too-many-key-failures");
    }

    [Fact]
    public async Task A_retry_after_the_gateway_died_before_committing_sends_it_then_and_a_fresh_claim_is_still_409()
    {
        await _api.Keys.ClaimIdempotencyKeyAsync("CI00000001", "job-9", Hash(One("0412345678", "Soon")));
        Assert.Equal(HttpStatusCode.Conflict, (await _api.SendAsync(HttpMethod.Post, "/api/v1/sms", _key, One("0412345678", "Soon"), idempotencyKey: "job-9")).Status);

        await _api.Keys.ClaimIdempotencyKeyAsync("CI00000001", "job-8", Hash(One("0412345678", "Late")));
        await _api.ExecuteAsync("UPDATE api_idempotency SET created_at = @at WHERE key = 'job-8'", new { at = Abandoned() });
        // Only the same request takes an abandoned claim over.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await _api.SendAsync(HttpMethod.Post, "/api/v1/sms", _key, One("0412345678", "Other"), idempotencyKey: "job-8")).Status);
        var retry = await _api.SendAsync(HttpMethod.Post, "/api/v1/sms", _key, One("0412345678", "Late"), idempotencyKey: "job-8");
        Assert.Equal(HttpStatusCode.Accepted, retry.Status);
        Assert.Equal("Late", Assert.Single(await _api.SmsOfAsync("CI00000001")).Text);
    }

    [Fact]
    public async Task Requests_racing_with_one_idempotency_key_send_one_sms_and_each_gets_its_response_or_409()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            _api.SendAsync(HttpMethod.Post, "/api/v1/sms", _key, One("0412345678", "Race"), idempotencyKey: "race")));
        Assert.All(answers, a => Assert.Contains(a.Status, new[] { HttpStatusCode.Accepted, HttpStatusCode.Conflict }));
        Assert.Single(answers.Where(a => a.Status == HttpStatusCode.Accepted).Select(a => a.Json.GetRawText()).Distinct());
        Assert.Single(await _api.SmsOfAsync("CI00000001"));
        Assert.Equal(9, await _api.CreditsOfAsync("CI00000001"));
    }

    [Fact]
    public async Task Invalid_requests_are_400_problems_and_a_request_the_credits_do_not_cover_is_402()
    {
        foreach (var body in new object[] { new StringContent("{not json", Encoding.UTF8, "application/json"), new { messages = Array.Empty<object>() }, new { messages = new[] { new { to = "0412345678" } } } })
        {
            var (status, type, json) = await _api.SendAsync(HttpMethod.Post, "/api/v1/sms", _key, body);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            AssertProblem(json, type, 400, "invalid-request");
        }

        var broke = await _api.AccountAsync("CI00000002", 0);
        var (paid, paidType, problem) = await _api.SendAsync(HttpMethod.Post, "/api/v1/sms", broke, One("0412345678", "Hi"));
        Assert.Equal(HttpStatusCode.PaymentRequired, paid);
        AssertProblem(problem, paidType, 402, "insufficient-credits");
        Assert.Equal("This request needs 1 credit but the account has 0: buy credits or send fewer messages.", problem.GetProperty("detail").GetString());
        Assert.Empty(await _api.SmsOfAsync("CI00000002"));
    }

    [Fact]
    public async Task Another_accounts_sms_is_404_and_replies_list_only_the_accounts_own_newest_first()
    {
        var otherKey = await _api.AccountAsync("CI00000002", 5);
        Assert.True((await _api.EmailAsync("CI00000001", "0412345678", "Mine", "Call me")).IsAccepted);
        Assert.True((await _api.EmailAsync("CI00000002", "0412345679", "Theirs", "Call them")).IsAccepted);
        Assert.Equal(HttpStatusCode.Accepted, (await _api.SendAsync(HttpMethod.Post, "/api/v1/sms", _key, One("0412345670", "Call me too"))).Status);
        await using (var connection = await _api.Database.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE sms SET status = 'submitted', submitted_at = @now, source_address = '61400000000'",
                new { now = DateTimeOffset.UtcNow.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture) });
        }

        var replies = new ReplyForwarder(new ReplyStore(_api.Database, TimeProvider.System), new ReplyComposer(ApiHarness.Domain), TimeSpan.FromDays(1));
        await replies.ReceiveAsync("61412345678", "61400000000", "On my way");
        await replies.ReceiveAsync("61412345679", "61400000000", "Not mine");
        Assert.Equal(ReplyOutcome.Kept, await replies.ReceiveAsync("61412345670", "61400000000", "Calling"));
        await replies.ReceiveAsync("61412345678", "61400000000", "Here now");

        var (status, _, list) = await _api.SendAsync(HttpMethod.Get, "/api/v1/replies?limit=5", _key);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["Here now", "Calling", "On my way"], list.EnumerateArray().Select(r => r.GetProperty("text").GetString()));
        Assert.Equal("61412345678", list[0].GetProperty("from").GetString());
        Assert.Single((await _api.SendAsync(HttpMethod.Get, "/api/v1/replies?limit=1", _key)).Json.EnumerateArray());

        var smsId = list[0].GetProperty("smsId").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, $"/api/v1/sms/{smsId}", _key)).Status);
        var (notFound, type, problem) = await _api.SendAsync(HttpMethod.Get, $"/api/v1/sms/{smsId}", otherKey);
        Assert.Equal(HttpStatusCode.NotFound, notFound);
        AssertProblem(problem, type, 404, "not-found");
    }

    [Fact]
    public async Task The_account_shows_its_credits_the_low_credit_warning_and_its_sender()
    {
        var (status, _, json) = await _api.SendAsync(HttpMethod.Get, "/api/v1/account", _key);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("CI00000001", 10, 8, false, "Acme"), (json.GetProperty("id").GetString(), json.GetProperty("credits").GetInt32(),
            json.GetProperty("lowCreditWarning").GetInt32(), json.GetProperty("lowCredit").GetBoolean(), json.GetProperty("sender").GetString()));

        await _api.SendAsync(HttpMethod.Post, "/api/v1/sms", _key, new { messages = Enumerable.Range(1, 3).Select(i => new { to = $"041234567{i}", text = "Hi" }) });
        json = (await _api.SendAsync(HttpMethod.Get, "/api/v1/account", _key)).Json;
        Assert.Equal((7, true), (json.GetProperty("credits").GetInt32(), json.GetProperty("lowCredit").GetBoolean()));
    }

    [Fact]
    public async Task The_openapi_document_lists_every_endpoint()
    {
        var (status, _, json) = await _api.SendAsync(HttpMethod.Get, "/openapi/v1.json", key: null);
        Assert.Equal(HttpStatusCode.OK, status);
        var paths = json.GetProperty("paths");
        Assert.Equal(["/api/v1/account", "/api/v1/replies", "/api/v1/sms", "/api/v1/sms/{id}"],
            paths.EnumerateObject().Select(p => p.Name).Where(p => p.StartsWith("/api/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.True(paths.GetProperty("/api/v1/sms").GetProperty("post").GetProperty("responses").TryGetProperty("402", out _));
    }

    [Theory]
    [InlineData("name", 101, "messages[0].name has 101 characters; at most 100 are allowed.")]
    [InlineData("text", 2001, "messages[0].text has 2001 characters; at most 2000 are allowed.")]
    [InlineData("to", 65, "messages[0].to has 65 characters; at most 64 are allowed.")]
    [InlineData("subject", 999, "subject has 999 characters; at most 998 are allowed.")]
    public async Task A_field_over_its_limit_is_a_400_problem_naming_the_field_and_the_limit(string field, int length, string detail)
    {
        var value = new string('4', length);
        var message = new Dictionary<string, string> { ["to"] = "0412345678", ["text"] = "Hi", ["name"] = "Bob" };
        if (field != "subject")
        {
            message[field] = value;
        }

        var (status, type, json) = await _api.SendAsync(HttpMethod.Post, "/api/v1/sms", _key,
            new { subject = field == "subject" ? value : "Alert", messages = new[] { message } });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertProblem(json, type, 400, "field-too-long");
        Assert.Equal(detail, json.GetProperty("detail").GetString());
        Assert.Empty(await _api.SmsOfAsync("CI00000001"));
    }

    [Fact]
    public async Task A_body_over_1_MB_is_a_413_problem_and_one_at_the_limits_is_queued()
    {
        var huge = new { messages = new[] { new { to = "0412345678", text = "Hi", name = new string('n', 20 * 1024 * 1024) } } };
        var (status, type, json) = await _api.SendAsync(HttpMethod.Post, "/api/v1/sms", _key, huge);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        AssertProblem(json, type, 413, "request-too-large");
        Assert.Equal("A request body has at most 1048576 octets: send fewer messages in one request.", json.GetProperty("detail").GetString());

        var (accepted, _, _) = await _api.SendAsync(HttpMethod.Post, "/api/v1/sms", _key,
            new { subject = new string('s', 998), messages = new[] { new { to = "0412345678", text = new string('t', 2000), name = new string('n', 100) } } });
        Assert.Equal(HttpStatusCode.Accepted, accepted);
        Assert.Single(await _api.SmsOfAsync("CI00000001"));
    }
}
