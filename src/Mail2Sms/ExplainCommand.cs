using System.CommandLine;
using System.Globalization;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Mail;
using Mail2Sms.Core.Numbers;
using Mail2Sms.Gateway.Delivery;
using Mail2Sms.Smpp;
using MimeKit;

namespace Mail2Sms;

/// <summary>
/// <c>mail2sms explain</c>: shows what the gateway would read from an email and decide, without
/// sending anything, so an operator can answer a customer's "why was my email refused?".
/// </summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var email = new Argument<FileInfo>("email") { Description = "The email, as an .eml file." };
        var to = new Option<string[]>("--to")
        {
            Description = "An envelope recipient (RCPT TO); repeat for several.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var from = new Option<string?>("--from") { Description = "The envelope sender (MAIL FROM); empty for <>. Default: the From header." };
        var accountId = new Option<string>("--account") { Description = "The account ID the sender belongs to.", DefaultValueFactory = _ => "CI00000001" };
        var country = new Option<string?>("--country") { Description = "The account's country (ISO 3166, such as AU).", DefaultValueFactory = _ => "AU" };
        var relaxed = new Option<bool>("--relaxed") { Description = "Accept any 8 to 15 digits as a number." };
        var maxParts = new Option<int>("--max-parts") { Description = "The most parts one SMS may take.", DefaultValueFactory = _ => 12 };
        var concatenation = new Option<Concatenation>("--concatenation")
        {
            Description = "How long SMS go to the SMSC, as Smpp:Concatenation says: Udh16 leaves one character less a part, so some texts take (and cost) a part more.",
            DefaultValueFactory = _ => Concatenation.Udh8,
        };
        var domain = new Option<string[]>("--domain")
        {
            Description = "A gateway domain; repeat for several.",
            DefaultValueFactory = _ => ["mail.completesms.net"],
        };

        var command = new Command("explain", "Show what the gateway reads from an email and what it would send, without sending.")
        {
            email, to, from, accountId, country, relaxed, maxParts, concatenation, domain,
        };
        command.SetAction(parse =>
        {
            var error = parse.InvocationConfiguration.Error;
            var file = parse.GetRequiredValue(email);
            if (!file.Exists)
            {
                error.WriteLine($"{file.FullName}: no such file.");
                return 2;
            }

            Account account;
            MimeMessage message;
            try
            {
                if (parse.GetValue(maxParts) < 1)
                {
                    throw new ArgumentException("--max-parts must be 1 or more.");
                }

                account = new Account(parse.GetRequiredValue(accountId), new PhoneNumberRules(parse.GetValue(country)).Country,
                    parse.GetValue(relaxed), parse.GetValue(maxParts), new DeliveryOptions { Concatenation = parse.GetValue(concatenation) }.PartSizes);
                message = MimeMessage.Load(new MemoryStream(LongHeaderFields.Unfold(File.ReadAllBytes(file.FullName)), writable: false));
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                error.WriteLine($"{file.Name}: {e.Message}");
                return 2;
            }

            var domains = parse.GetRequiredValue(domain);
            var envelope = new Envelope(parse.GetValue(from) ?? message.From.Mailboxes.FirstOrDefault()?.Address ?? string.Empty, []);
            var admitted = new List<Recipient>();
            foreach (var address in parse.GetRequiredValue(to))
            {
                var recipient = Recipient.Parse(address, domains);
                var refusal = RecipientAdmission.Check(recipient, admitted, numbers: new PhoneNumberRules(account.Country, account.RelaxedNumbers));
                if (refusal is null)
                {
                    admitted.Add(recipient);
                }

                parse.InvocationConfiguration.Output.WriteLine($"RCPT TO {address}: {refusal?.ToString() ?? "250 2.1.5 OK"}");
            }

            if (admitted.Count == 0)
            {
                return 1;
            }

            var facts = SenderFacts.Read(message, envelope with { Recipients = admitted.Select(r => r.Address).ToList() }, domains);
            var decision = IntakeRules.Decide(facts, account);
            Write(parse.InvocationConfiguration.Output, facts, decision);
            return decision is Rejection ? 1 : 0;
        });
        return command;
    }

    private static void Write(TextWriter output, SenderFacts facts, IntakeDecision decision)
    {
        output.WriteLine($"originator:    {facts.Originator ?? "(none)"}");
        if (facts.IsForwarded)
        {
            output.WriteLine($"forwarded by:  {facts.ForwardingUser ?? "(unknown)"}");
        }

        output.WriteLine($"format:        {(facts.Format is { } f ? ((int)f).ToString(CultureInfo.InvariantCulture) : "(none)")}");
        output.WriteLine($"[SENDER]:      {facts.SenderBlock?.ToString() ?? facts.SenderBlockReading.State.ToString().ToLowerInvariant()}");
        switch (decision)
        {
            case Rejection rejection:
                output.WriteLine($"rejected:      {rejection.SmtpCode} {rejection.EnhancedCode}");
                foreach (var reason in rejection.Reasons)
                {
                    output.WriteLine($"  {reason.Code}: {reason.Text}");
                }

                if (rejection.ReasonCount > rejection.Reasons.Count)
                {
                    output.WriteLine($"  ... and {rejection.ReasonCount - rejection.Reasons.Count} more reasons like these.");
                }

                break;
            case Acceptance acceptance:
                output.WriteLine($"accepted:      {acceptance.Messages.Count} SMS, {acceptance.Credits} credit{(acceptance.Credits == 1 ? string.Empty : "s")}");
                foreach (var sms in acceptance.Messages)
                {
                    output.WriteLine($"  {sms.Number} {sms.Text.Encoding} {sms.Text.PartCount} part(s){(sms.Name is null ? string.Empty : $" to {sms.Name}")}: {sms.Text.Text.Replace("\n", "\\n", StringComparison.Ordinal)}");
                }

                foreach (var failure in acceptance.Failures)
                {
                    output.WriteLine($"  failed {failure.Where}: {failure.Reason.Code}: {failure.Reason.Text}");
                }

                if (acceptance.UnlistedFailures > 0)
                {
                    output.WriteLine($"  ... and {acceptance.UnlistedFailures} more failed.");
                }

                break;
        }
    }
}
