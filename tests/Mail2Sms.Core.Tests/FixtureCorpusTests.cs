using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Text;
using MimeKit;

namespace Mail2Sms.Core.Tests;

/// <summary>
/// Every <c>Fixtures/NN-name.eml</c> imitates a real client; the <c>.json</c> beside it says what
/// the gateway must read from it and decide.
/// </summary>
public sealed partial class FixtureCorpusTests
{
    private static readonly string[] GatewayDomains = ["mail.completesms.net"];

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private static string FixtureFolder => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(FixtureFolder, "*.eml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Fact]
    public void The_corpus_holds_at_least_forty_fixtures_each_with_its_expectation()
    {
        var emails = Directory.GetFiles(FixtureFolder, "*.eml");
        Assert.True(emails.Length >= 40, $"only {emails.Length} fixtures");
        Assert.All(emails, e => Assert.True(File.Exists(Path.ChangeExtension(e, ".json")), $"{e} has no .json"));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_is_read_and_decided_as_expected(string name)
    {
        var spec = JsonSerializer.Deserialize<FixtureSpec>(File.ReadAllText(Path.Combine(FixtureFolder, name + ".json")), Json)!;
        using var stream = File.OpenRead(Path.Combine(FixtureFolder, name + ".eml"));
        var message = MimeMessage.Load(stream);
        var facts = SenderFacts.Read(message, new Envelope(spec.Envelope.MailFrom, spec.Envelope.RcptTo), GatewayDomains);

        Assert.Equal(spec.Facts.Originator, facts.Originator, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(spec.Facts.Format, (int?)facts.Format);
        Assert.Equal(spec.Facts.SenderBlock, facts.SenderBlockReading.State.ToString(), StringComparer.OrdinalIgnoreCase);
        Assert.Equal(spec.Facts.ForwardingUser, facts.IsForwarded ? facts.ForwardingUser : null, StringComparer.OrdinalIgnoreCase);
        if (spec.Facts.SenderId is not null)
        {
            Assert.Equal(spec.Facts.SenderId, facts.SenderBlock?.AccountId);
            Assert.Equal(spec.Facts.SenderPassword, facts.SenderBlock?.Password);
        }

        var account = spec.Account ?? new FixtureAccount();
        var decision = IntakeRules.Decide(facts, account.ToAccount(), spec.AnswersGatewayReply);
        AssertNoPasswordIn(facts, decision);
        var expected = spec.Expected;
        if (expected.Rejected is { } rejected)
        {
            var rejection = Assert.IsType<Rejection>(decision);
            Assert.Equal(rejected.Codes, rejection.Reasons.Select(r => r.Code.ToString()));
            Assert.Equal(rejected.Smtp, rejection.SmtpCode);
            Assert.Equal(rejected.Enhanced, rejection.EnhancedCode);
            return;
        }

        var acceptance = Assert.IsType<Acceptance>(decision);
        Assert.Equal(
            expected.Sms.Select(s => (s.Number, s.Text, s.Encoding, s.Parts, s.Name)),
            acceptance.Messages.Select(m => (m.Number, m.Text.Text, m.Text.Encoding, m.Text.PartCount, m.Name)));
        Assert.Equal(
            expected.Failures.Select(f => (f.Where, f.Code)),
            acceptance.Failures.Select(f => (f.Where, f.Reason.Code.ToString())));
        Assert.Equal(expected.Credits, acceptance.Credits);
    }

    [GeneratedRegex(@"^\s*PW\s*=(.+)$", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex PasswordLine();

    // Every password written in the body, valid block or not, stays out of every text the gateway shows or sends.
    private static void AssertNoPasswordIn(SenderFacts facts, IntakeDecision decision)
    {
        var shown = new List<string> { facts.Content.ToString(), facts.SenderBlockReading.Block?.ToString() ?? string.Empty };
        shown.AddRange(decision switch
        {
            Rejection rejection => rejection.Reasons.Select(r => r.Text),
            Acceptance acceptance => acceptance.Messages.Select(m => m.Text.Text).Concat(acceptance.Failures.Select(f => f.ToString())),
            _ => [],
        });
        foreach (var password in PasswordLine().Matches(facts.Content.Body).Select(m => m.Groups[1].Value.Trim()))
        {
            Assert.All(shown, text => Assert.DoesNotContain(password, text, StringComparison.Ordinal));
        }
    }

    private sealed record FixtureSpec(
        string Client,
        string Rule,
        FixtureEnvelope Envelope,
        FixtureAccount? Account,
        bool AnswersGatewayReply,
        FixtureFacts Facts,
        FixtureExpectation Expected);

    private sealed record FixtureEnvelope(string MailFrom, string[] RcptTo);

    private sealed record FixtureAccount(string Id = "CI00123456", string? Country = "AU", bool Relaxed = false, int MaxParts = 12, bool SixteenBitReferences = false)
    {
        public Account ToAccount() => new(Id, Country, Relaxed, MaxParts,
            SixteenBitReferences ? PartSizes.SixteenBitReference : PartSizes.EightBitReference);
    }

    private sealed record FixtureFacts(string? Originator, int? Format, string SenderBlock, string? ForwardingUser, string? SenderId, string? SenderPassword);

    private sealed record FixtureExpectation(FixtureRejection? Rejected, FixtureSms[] Sms, FixtureFailure[] Failures, long Credits);

    private sealed record FixtureRejection(int Smtp, string Enhanced, string[] Codes);

    private sealed record FixtureSms(string Number, string Text, SmsEncoding Encoding, int Parts, string? Name);

    private sealed record FixtureFailure(string Where, string Code);
}
