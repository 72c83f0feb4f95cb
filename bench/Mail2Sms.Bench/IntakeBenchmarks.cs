using System.Text;
using BenchmarkDotNet.Attributes;
using Mail2Sms.Core.Formats;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Text;
using MimeKit;

namespace Mail2Sms.Bench;

/// <summary>
/// The work intake does per email: a format 1 alert from parse to decision, a 100,000-row CSV read
/// as a stream, and deciding a long SMS's encoding and parts.
/// </summary>
[MemoryDiagnoser]
public class IntakeBenchmarks
{
    private static readonly string[] Domains = ["mail.completesms.net"];
    private static readonly Account Account = new("CI00123456", "AU");
    private byte[] _alert = [];
    private byte[] _csv = [];
    private byte[] _bulkEmail = [];
    private string _longText = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _alert = Encoding.UTF8.GetBytes(
            "From: Nagios <nagios@monitor.example.com.au>\r\nTo: 61412345678@mail.completesms.net\r\n" +
            "Subject: ** PROBLEM Service Alert: web01/HTTP is CRITICAL **\r\nAuto-Submitted: auto-generated\r\n" +
            "Content-Type: text/plain; charset=us-ascii\r\n\r\n***** Nagios *****\r\n\r\nNotification Type: PROBLEM\r\n" +
            "Service: HTTP\r\nHost: web01\r\nState: CRITICAL\r\n\r\nInfo: connect to address 10.0.0.5 port 80: Connection refused\r\n");
        var csv = new StringBuilder("Number,Message\r\n");
        for (var i = 0; i < 100_000; i++)
        {
            csv.Append("0412").Append((345_000 + (i % 600)).ToString("D6", System.Globalization.CultureInfo.InvariantCulture))
               .Append(",\"Dear customer, your order ").Append(i).Append(" has shipped.\"\r\n");
        }

        _csv = Encoding.UTF8.GetBytes(csv.ToString());
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Ops", "ops@example.com.au"));
        message.Subject = "bulk";
        var body = new BodyBuilder { TextBody = "[SENDER]\r\nID=CI00123456\r\nPW=secret\r\n" };
        body.Attachments.Add("CI00123456251125120000.csv", _csv, new ContentType("text", "csv"));
        message.Body = body.ToMessageBody();
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        _bulkEmail = stream.ToArray();
        _longText = string.Concat(Enumerable.Repeat("Server 23 is offline – “check” the UPS… ", 18));
    }

    [Benchmark(Description = "format 1 alert: parse + facts + decision")]
    public IntakeDecision Format1Alert()
    {
        var message = MimeMessage.Load(new MemoryStream(_alert));
        var facts = SenderFacts.Read(message, new Envelope("nagios@monitor.example.com.au", ["61412345678@mail.completesms.net"]), Domains);
        return IntakeRules.Decide(facts, Account);
    }

    [Benchmark(Description = "CSV 100,000 rows read as a stream")]
    public int CsvRows100k()
    {
        using var rows = CsvRows.Open(new MemoryStream(_csv));
        var count = 0;
        while (rows.TryRead(out _))
        {
            count++;
        }

        return count;
    }

    [Benchmark(Description = "format 4 email of 100,000 rows: parse + decision")]
    public long Format4Bulk()
    {
        var message = MimeMessage.Load(new MemoryStream(_bulkEmail));
        var facts = SenderFacts.Read(message, new Envelope("ops@example.com.au", ["bulksms@mail.completesms.net"]), Domains);
        return ((Acceptance)IntakeRules.Decide(facts, Account)).Credits;
    }

    [Benchmark(Description = "765-char text: look-alikes, encoding, parts")]
    public int LongSmsText() => SmsText.From(_longText).SplitParts().Count;
}
