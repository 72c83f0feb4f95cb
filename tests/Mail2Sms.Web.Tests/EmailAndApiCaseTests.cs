using System.Net;
using System.Text.Json;

namespace Mail2Sms.Web.Tests;

/// <summary>
/// One table of cases, each sent both as a format 1 email through intake and as a message through the
/// API, on two accounts alike: the same SMS (number, text, encoding, parts), the same credits, the same refusal.
/// </summary>
public sealed class EmailAndApiCaseTests
{
    public static TheoryData<string, string, string, long, string> Cases => new()
    {
        // to, subject, text, credits, what both paths must do: "sms <encoding> <parts>" or the refusal's code
        { "0412345678", "Alert", "Server 23 is offline.", 5, "sms Gsm7 1" },
        { "+61412345678", string.Empty, "Server 23   is\r\noffline.", 5, "sms Gsm7 1" },
        { "61-412-345-678", "Alert", "Température 23 °C ☀", 5, "sms Ucs2 1" },
        { "0412345678", "Long", new string('x', 500), 5, "sms Gsm7 1" },
        { "0412345678", "Curly", "It’s “done” — ok", 5, "sms Gsm7 1" },
        { "0312345678", "Alert", "Landlines get no SMS.", 5, "InvalidNumber" },
        { "04123", "Alert", "Too short.", 5, "InvalidNumber" },
        { "0412345678", string.Empty, "   ", 5, "EmptyMessage" },
        { "0412345678", "Alert", "Server 23 is offline.", 0, "InsufficientCredits" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task An_email_and_an_api_request_of_the_same_case_send_the_same_sms_for_the_same_credits_or_are_refused_alike(
        string to, string subject, string text, long credits, string expected)
    {
        await using var api = await ApiHarness.StartAsync();
        await api.AccountAsync("CI00000001", credits);
        var key = await api.AccountAsync("CI00000002", credits);

        var reply = await api.EmailAsync("CI00000001", to, subject, text);
        var (status, _, json) = await api.SendAsync(HttpMethod.Post, "/api/v1/sms", key,
            new { subject = subject.Length == 0 ? null : subject, messages = new[] { new { to, text } } });

        var byEmail = await api.SmsOfAsync("CI00000001");
        var byApi = await api.SmsOfAsync("CI00000002");
        Assert.Equal(byEmail, byApi);
        Assert.Equal(await api.CreditsOfAsync("CI00000001"), await api.CreditsOfAsync("CI00000002"));
        if (expected.StartsWith("sms ", StringComparison.Ordinal))
        {
            Assert.True(reply.IsAccepted, reply.ToString());
            Assert.Equal(HttpStatusCode.Accepted, status);
            var sms = Assert.Single(byApi);
            Assert.Equal(expected, $"sms {sms.Encoding} {sms.Parts}");
            Assert.Equal(credits - sms.Parts, await api.CreditsOfAsync("CI00000002"));
        }
        else
        {
            Assert.False(reply.IsAccepted);
            Assert.Equal(reply.Lines.Select(InTheApisWords), ReasonsOf(status, json, expected));
        }
    }

    // The same reason, told of a request rather than an email where the email's words would not fit.
    private static string InTheApisWords(string line) => line
        .Replace("This email needs", "This request needs", StringComparison.Ordinal)
        .Replace("The email has no subject and no body text: write the SMS in the subject, the body or both.",
            "The message has no text, and the request no subject: give the SMS in text.", StringComparison.Ordinal);

    // A refusal's reasons as the API gives them: the problem's detail for credits, else each failure of the message.
    private static List<string> ReasonsOf(HttpStatusCode status, JsonElement problem, string code)
    {
        if (code == "InsufficientCredits")
        {
            Assert.Equal(HttpStatusCode.PaymentRequired, status);
            return [problem.GetProperty("detail").GetString()!];
        }

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var failures = problem.GetProperty("messages")[0].GetProperty("failures").EnumerateArray().ToList();
        Assert.All(failures, f => Assert.Equal(code, f.GetProperty("code").GetString()));
        return [.. failures.Select(f => f.GetProperty("detail").GetString()!)];
    }
}
