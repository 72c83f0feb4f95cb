using System.Text;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Text;
using static Mail2Sms.Core.Tests.Intake.Emails;

namespace Mail2Sms.Core.Tests.Intake;

public sealed class IntakeRulesTests
{
    [Fact]
    public void Format_1_joins_subject_and_body_folding_white_space()
    {
        var sms = Assert.Single(Accepted(Plain("System Alert", "Server 23\n  is offline.\n"), "61412345678").Messages);
        Assert.Equal("System Alert Server 23 is offline.", sms.Text.Text);
        Assert.Equal("61412345678", sms.Number);
        Assert.Equal(1, sms.Credits);
    }

    [Fact]
    public void Format_1_sends_one_sms_per_recipient_and_one_per_distinct_number()
    {
        var accepted = Accepted(Plain("Alert", "Disk full"), "61412345678", "0412345678", "0412 345 679".Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(["61412345678", "61412345679"], accepted.Messages.Select(m => m.Number));
        Assert.Equal(2, accepted.Credits);
    }

    [Fact]
    public void Format_1_invalid_number_fails_alone_and_is_reported()
    {
        var accepted = Accepted(Plain("Alert", "Disk full"), "61412345678", "0298765432");
        var failure = Assert.Single(accepted.Failures);
        Assert.Equal("0298765432", failure.Where);
        Assert.Equal(ReasonCode.InvalidNumber, failure.Reason.Code);
        Assert.Contains("not a mobile number", failure.Reason.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_1_with_only_invalid_numbers_is_rejected_naming_each()
    {
        var rejection = Rejected(Plain("Alert", "Disk full"), "0298765432", "6140900000");
        Assert.Equal(550, rejection.SmtpCode);
        Assert.Equal("5.1.1", rejection.EnhancedCode);
        Assert.Collection(rejection.Reasons,
            r => Assert.StartsWith("0298765432: ", r.Text, StringComparison.Ordinal),
            r => Assert.StartsWith("6140900000: ", r.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void Format_1_is_cut_to_one_sms()
    {
        var sms = Assert.Single(Accepted(Plain("Alert", new string('x', 300)), "61412345678").Messages);
        Assert.Equal(160, sms.Text.Text.Length);
        Assert.Equal(1, sms.Text.PartCount);
    }

    [Fact]
    public void Format_1_without_subject_or_body_is_rejected()
    {
        var rejection = Rejected(Plain("", "\n \n"), "61412345678");
        Assert.Equal(ReasonCode.EmptyMessage, Assert.Single(rejection.Reasons).Code);
        Assert.Equal("5.6.0", rejection.EnhancedCode);
    }

    [Fact]
    public void Format_1_drops_signature_and_quoted_history()
    {
        var body = "Rebooting now\n\nOn Tue, 3 Mar 2026 at 10:00, Bob <bob@example.com> wrote:\n> Server down?\n-- \nOps team";
        Assert.Equal("Re: Server Rebooting now", Assert.Single(Accepted(Plain("Re: Server", body), "61412345678").Messages).Text.Text);
    }

    [Fact]
    public void Format_1_answer_to_a_gateway_reply_sends_only_the_new_text()
    {
        var facts = Facts(Plain("Re: Server 23", "On my way\n\n> Server 23 is offline."), "61412345678");
        var accepted = Assert.IsType<Acceptance>(IntakeRules.Decide(facts, Au, answersGatewayReply: true));
        Assert.Equal("On my way", Assert.Single(accepted.Messages).Text.Text);
    }

    [Fact]
    public void Format_1_forwarded_by_exchange_rule_sends_originator_and_subject()
    {
        var message = Plain("Invoice overdue", "Long body that is not sent", from: "Jane Customer <jane@customer.example>",
            extraHeaders: "X-MS-Exchange-Inbox-Rules-Loop: boss@example.com.au\r\n");
        var facts = FactsFrom(message, "boss@example.com.au", "61412345678");
        Assert.True(facts.IsForwarded);
        Assert.Equal("boss@example.com.au", facts.ForwardingUser);
        Assert.Equal("boss@example.com.au", facts.Originator);
        Assert.Equal("jane@customer.example", facts.Author);
        var accepted = Assert.IsType<Acceptance>(IntakeRules.Decide(facts, Au));
        Assert.Equal("jane@customer.example: Invoice overdue", Assert.Single(accepted.Messages).Text.Text);
    }

    [Fact]
    public void Sender_block_is_never_part_of_the_sms()
    {
        var accepted = Accepted(Plain("System Alert", "[SENDER]\nID=CI00123456\nPW=secret\n\nServer 23 is offline."), "61412345678");
        Assert.Equal("System Alert Server 23 is offline.", Assert.Single(accepted.Messages).Text.Text);
    }

    [Fact]
    public void Sender_block_not_first_is_refused_so_a_password_never_reaches_an_sms()
    {
        var rejection = Rejected(Plain("Alert", "Server down\n[SENDER]\nID=CI00123456\nPW=secret"), "61412345678");
        Assert.Equal(ReasonCode.SenderBlockNotFirst, Assert.Single(rejection.Reasons).Code);
        Assert.Equal("5.6.0", rejection.EnhancedCode);
        Assert.DoesNotContain("secret", rejection.Reasons[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_sender_block_is_refused_with_the_shape_it_must_have()
    {
        var rejection = Rejected(Plain("Alert", "[SENDER]\nPW=secret\nID=CI00123456\n\nServer down"), "61412345678");
        var reason = Assert.Single(rejection.Reasons);
        Assert.Equal(ReasonCode.SenderBlockMalformed, reason.Code);
        Assert.Equal("5.7.1", reason.EnhancedCode);
        Assert.Contains("PW= comes before ID=", reason.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", reason.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Auto-Submitted: auto-replied\r\n", "Auto-Submitted: auto-replied")]
    [InlineData("X-Autoreply: yes\r\n", "X-Autoreply")]
    [InlineData("X-Autorespond: yes\r\n", "X-Autorespond")]
    [InlineData("Precedence: auto_reply\r\n", "Precedence: auto_reply")]
    public void Automatic_replies_never_become_sms(string header, string sign)
    {
        var rejection = Rejected(Plain("Out of office", "I am away", extraHeaders: header), "61412345678");
        var reason = Assert.Single(rejection.Reasons);
        Assert.Equal(ReasonCode.AutoReply, reason.Code);
        Assert.Equal((550, "5.7.1"), (reason.SmtpCode, reason.EnhancedCode));
        Assert.Contains(sign, reason.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bounce_with_null_mail_from_is_refused()
    {
        var facts = FactsFrom(Plain("Undelivered Mail", "Sorry"), "", "61412345678");
        Assert.Contains("null MAIL FROM", facts.AutoReplySigns);
        Assert.IsType<Rejection>(IntakeRules.Decide(facts, Au));
    }

    [Fact]
    public void Monitoring_alerts_marked_auto_generated_are_accepted()
    {
        var message = Plain("PROBLEM: web01 is DOWN", "Host: web01", extraHeaders: "Auto-Submitted: auto-generated\r\nPrecedence: bulk\r\n");
        Assert.Equal("PROBLEM: web01 is DOWN Host: web01", Assert.Single(Accepted(message, "61412345678").Messages).Text.Text);
    }

    [Fact]
    public void Originator_is_sender_header_when_from_holds_several_mailboxes()
    {
        var message = Plain("x", "y", from: "<a@example.com>, <b@example.com>", extraHeaders: "Sender: desk@example.com\r\n");
        Assert.Equal("desk@example.com", Facts(message, "61412345678").Originator);
    }

    [Fact]
    public void Originator_is_mail_from_only_when_from_and_sender_are_missing()
    {
        var message = MimeKit.MimeMessage.Load(new MemoryStream("Subject: x\r\n\r\nbody\r\n"u8.ToArray()));
        Assert.Equal("cron@host.example.com", FactsFrom(message, "<cron@host.example.com>", "61412345678").Originator);
        Assert.Equal("ops@example.com.au", Facts(Plain("x", "y"), "61412345678").Originator);
    }

    [Fact]
    public void Format_2_keeps_lines_that_look_quoted_since_only_formats_1_and_3_drop_history()
    {
        var sms = Assert.Single(Accepted(Plain("SMS:", "[1]\nNumber=0412345678\nMessage=Reply with:\n> YES or NO"), "smsgateway").Messages);
        Assert.Equal("Reply with:\n> YES or NO", sms.Text.Text);
    }

    [Fact]
    public void Format_2_sends_each_entry_and_reports_failed_ones()
    {
        var body = "[SENDER]\nID=CI00123456\nPW=secret\n[1]\nName=John\nNumber=0412345678\nMessage=Server 23\nis offline.\n\n[2]\nName=Tom\nMessage=No number\n[3]\nName=Ann\nNumber=6140900000\nMessage=Bad number";
        var accepted = Accepted(Plain("SMS:", body), "smsgateway");
        var sms = Assert.Single(accepted.Messages);
        Assert.Equal(("61412345678", "John", "Server 23\nis offline."), (sms.Number, sms.Name, sms.Text.Text));
        Assert.Equal([("[2] Name=Tom", ReasonCode.MissingNumber), ("[3] Name=Ann, Number=6140900000", ReasonCode.InvalidNumber)], accepted.Failures.Select(f => (f.Where, f.Reason.Code)));
    }

    [Fact]
    public void Format_2_needs_sms_subject()
    {
        var rejection = Rejected(Plain("Hello", "[1]\nNumber=0412345678\nMessage=x"), "smsgateway");
        Assert.Equal(ReasonCode.SubjectNotSms, Assert.Single(rejection.Reasons).Code);
    }

    [Fact]
    public void Format_2_with_more_than_fifty_entries_is_rejected_whole()
    {
        var body = string.Concat(Enumerable.Range(1, 51).Select(i => $"[{i}]\nNumber=0412345678\nMessage=m{i}\n"));
        Assert.Equal(ReasonCode.TooManyEntries, Assert.Single(Rejected(Plain("SMS:", body), "smsgateway").Reasons).Code);
        var fifty = string.Concat(Enumerable.Range(1, 50).Select(i => $"[{i}]\nNumber=0412345678\nMessage=m{i}\n"));
        Assert.Equal(50, Accepted(Plain("SMS:", fifty), "smsgateway").Messages.Count);
    }

    [Fact]
    public void Format_2_entry_text_with_a_sender_line_is_refused()
    {
        var rejection = Rejected(Plain("SMS:", "[1]\nNumber=0412345678\nMessage=hello\n[SENDER]\nID=CI00123456\nPW=secret"), "smsgateway");
        Assert.Equal(ReasonCode.SenderBlockNotFirst, Assert.Single(rejection.Reasons).Code);
    }

    [Fact]
    public void Format_3_sends_one_long_sms_to_each_listed_number()
    {
        var text = string.Join(' ', Enumerable.Repeat("Server 23 is offline.", 20));
        var accepted = Accepted(Plain("", $"X-Cellphone:61412345678\nx-cellphone: 0412 345 679\nX-Cellphone: 0412345678\n\n{text}\n"), "smsmail");
        Assert.Equal(["61412345678", "61412345679"], accepted.Messages.Select(m => m.Number));
        Assert.All(accepted.Messages, m => Assert.Equal((text, 3), (m.Text.Text, m.Text.PartCount)));
        Assert.Equal(6, accepted.Credits);
    }

    [Theory]
    [InlineData("X-Cellphone: 0412345678\n\nX-Cellphone: 0412345679\n\nHello", "no blank line between")]
    [InlineData("X-Cellphone: 0412345678\nHello", "exactly one blank line")]
    [InlineData("X-Cellphone: 0412345678\n\n\nHello", "there are 2")]
    public void Format_3_layout_is_checked(string body, string said)
    {
        var reason = Assert.Single(Rejected(Plain("", body), "smsmail").Reasons);
        Assert.Equal(ReasonCode.CellphoneLayout, reason.Code);
        Assert.Contains(said, reason.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_3_text_over_765_characters_is_rejected_with_the_count()
    {
        var reason = Assert.Single(Rejected(Plain("", "X-Cellphone: 0412345678\n\n" + new string('a', 766)), "smsmail").Reasons);
        Assert.Equal(ReasonCode.TextTooLong, reason.Code);
        Assert.Contains("766", reason.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_3_765_character_ucs2_message_is_twelve_parts()
    {
        var sms = Assert.Single(Accepted(Plain("", "X-Cellphone: 0412345678\n\n" + new string('я', 765)), "smsmail").Messages);
        Assert.Equal((SmsEncoding.Ucs2, 12), (sms.Text.Encoding, sms.Text.PartCount));
    }

    [Fact]
    public void Format_3_counts_765_characters_as_a_person_does()
    {
        var text = string.Concat(Enumerable.Repeat("😀", 765));
        var facts = Facts(Plain("", "X-Cellphone: 0412345678\n\n" + text), "smsmail");
        var sms = Assert.Single(Assert.IsType<Acceptance>(IntakeRules.Decide(facts, Au with { MaxParts = 30 })).Messages);
        // 765 characters, not 1,530 units: accepted. An emoji never splits, so a part holds 33 (66 units): 24 parts.
        Assert.Equal((SmsEncoding.Ucs2, 24), (sms.Text.Encoding, sms.Text.PartCount));
    }

    [Fact]
    public void Format_2_message_of_only_invisible_characters_is_missing()
    {
        var accepted = Accepted(Plain("SMS:", "[1]\nNumber=0412345678\nMessage=\u200B\u200B\n[2]\nNumber=0412345679\nMessage=ok"), "smsgateway");
        Assert.Equal(("[1] Number=0412345678", ReasonCode.MissingMessage), (Assert.Single(accepted.Failures).Where, accepted.Failures[0].Reason.Code));
    }

    [Fact]
    public void An_ellipsis_counts_as_one_of_the_765_characters()
    {
        var text = new string('a', 764) + "…";
        var sms = Assert.Single(Accepted(Plain("", "X-Cellphone: 0412345678\n\n" + text), "smsmail").Messages);
        Assert.EndsWith("a...", sms.Text.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Part_sizes_must_fit_an_extension_character_or_a_surrogate_pair()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PartSizes(160, 1, 70, 67));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PartSizes(160, 153, 70, 0));
    }

    [Theory]
    [InlineData("Mobile1,Message\n0412345678,Hi\n")]
    [InlineData("\"Phone no.\";Text\n0412345678;Hi\n")]
    public void Format_4_first_row_with_text_in_column_1_is_a_header(string csv)
    {
        var accepted = Accepted(WithCsv(csv), "bulksms");
        Assert.Equal(("61412345678", "Hi"), (Assert.Single(accepted.Messages).Number, accepted.Messages[0].Text.Text));
        Assert.Empty(accepted.Failures);
        Assert.Equal("CI00123456251125120000.csv", accepted.CsvFileName);
    }

    [Fact]
    public void Format_4_first_row_with_a_mistyped_number_is_reported_not_taken_for_a_header()
    {
        var accepted = Accepted(WithCsv("0412345678x,first\n0412345679,second\n"), "bulksms");
        Assert.Equal(("line 1, number 0412345678x", ReasonCode.InvalidNumber), (Assert.Single(accepted.Failures).Where, accepted.Failures[0].Reason.Code));
    }

    [Fact]
    public void Format_4_first_row_in_scientific_notation_is_reported_not_taken_for_a_header()
    {
        var accepted = Accepted(WithCsv("6.14123E+11,Hi\n,No number\n0412345678,Hi\n"), "bulksms");
        Assert.Equal(
            [("line 1, number 6.14123E+11", ReasonCode.NumberInScientificNotation), ("line 2", ReasonCode.MissingNumber)],
            accepted.Failures.Select(f => (f.Where, f.Reason.Code)));
        Assert.Contains("scientific notation", accepted.Failures[0].Reason.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_4_row_failures_name_the_line_and_the_field_as_written()
    {
        var accepted = Accepted(WithCsv("Number,Message\r\n0412345678,\"multi\r\nline\"\r\n0298765432,landline\r\n0412345679,\r\n"), "bulksms");
        Assert.Equal("multi\nline", Assert.Single(accepted.Messages).Text.Text);
        Assert.Equal([("line 4, number 0298765432", ReasonCode.InvalidNumber), ("line 5, number 0412345679", ReasonCode.MissingMessage)], accepted.Failures.Select(f => (f.Where, f.Reason.Code)));
        Assert.Contains("'0298765432'", accepted.Failures[0].Reason.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_4_message_carrying_a_sender_line_is_refused()
    {
        Assert.Equal(ReasonCode.SenderBlockNotFirst, Assert.Single(Rejected(WithCsv("0412345678,\"[SENDER]\nPW=x\"\n"), "bulksms").Reasons).Code);
    }

    [Fact]
    public void Format_1_of_only_invisible_characters_is_empty()
    {
        Assert.Equal(ReasonCode.EmptyMessage, Assert.Single(Rejected(Plain("\u200B", "\u00AD"), "61412345678").Reasons).Code);
    }

    [Fact]
    public void Format_1_alert_with_a_bare_dash_dash_line_keeps_the_text_after_it()
    {
        var sms = Assert.Single(Accepted(Plain("PROBLEM db1", "CPU load high\n--\nload: 12.5"), "61412345678").Messages);
        Assert.Equal("PROBLEM db1 CPU load high -- load: 12.5", sms.Text.Text);
    }

    [Fact]
    public void Forwarded_mail_is_not_refused_for_a_sender_block_in_the_body_it_never_sends()
    {
        var message = Plain("Invoice", "Hi\n[SENDER]\nID=CI00123456\nPW=secret", from: "Jane <jane@customer.example>",
            extraHeaders: "Resent-From: boss@example.com.au\r\n");
        Assert.Equal("jane@customer.example: Invoice", Assert.Single(Accepted(message, "61412345678").Messages).Text.Text);
    }

    [Theory]
    [InlineData("Hello\nPW=secret")]
    [InlineData("Hello\n[ Sender ]\nID=CI00123456\npw = secret")]
    [InlineData("ID=CI00123456\nPW=secret\n\nHello")]
    public void Text_that_would_carry_a_password_is_refused(string body)
    {
        var reason = Assert.Single(Rejected(Plain("", "X-Cellphone: 0412345678\n\n" + body), "smsmail").Reasons);
        Assert.Equal(ReasonCode.SenderBlockNotFirst, reason.Code);
    }

    [Fact]
    public void Two_formats_reaching_data_are_deferred_whole_so_nothing_is_lost()
    {
        var rejection = Rejected(Plain("Alert", "down"), "61412345678", "smsmail");
        Assert.Equal((452, "4.5.3"), (rejection.SmtpCode, rejection.EnhancedCode));
        Assert.Contains("smsmail@mail.completesms.net", Assert.Single(rejection.Reasons).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_2_reads_the_documents_one_line_entry_layout()
    {
        var accepted = Accepted(Plain("SMS:", "[1] Name=John Number=0412345678 Message=Server 23 is offline. Number=not a key here"), "smsgateway");
        var sms = Assert.Single(accepted.Messages);
        Assert.Equal(("John", "61412345678", "Server 23 is offline. Number=not a key here"), (sms.Name, sms.Number, sms.Text.Text));
    }

    [Fact]
    public void Format_2_entry_with_a_key_given_twice_fails_alone()
    {
        var accepted = Accepted(Plain("SMS:", "[1]\nNumber=0412345678\nNumber=0412345679\nMessage=Which?\n[2]\nNumber=0412345678\nMessage=ok"), "smsgateway");
        var failure = Assert.Single(accepted.Failures);
        Assert.Equal(("[1] Number=0412345679", ReasonCode.EntryMalformed), (failure.Where, failure.Reason.Code));
        Assert.Contains("Number= twice", failure.Reason.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_2_limit_counts_entries_not_their_numbers()
    {
        Assert.Single(Accepted(Plain("SMS:", "[51]\nNumber=0412345678\nMessage=hi"), "smsgateway").Messages);
    }

    [Fact]
    public void Account_part_cap_fails_a_message_with_the_figures()
    {
        var account = Au with { MaxParts = 2 };
        var facts = Facts(Plain("", "X-Cellphone: 0412345678\n\n" + new string('a', 400)), "smsmail");
        var reason = Assert.Single(Assert.IsType<Rejection>(IntakeRules.Decide(facts, account)).Reasons);
        Assert.Equal(ReasonCode.TooManyParts, reason.Code);
        Assert.Contains("3 SMS parts", reason.Text, StringComparison.Ordinal);
        Assert.Contains("at most 2", reason.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Sixteen_bit_references_make_smaller_parts()
    {
        var account = Au with { PartSizes = PartSizes.SixteenBitReference };
        var facts = Facts(Plain("", "X-Cellphone: 0412345678\n\n" + new string('a', 306)), "smsmail");
        var sms = Assert.Single(Assert.IsType<Acceptance>(IntakeRules.Decide(facts, account)).Messages);
        Assert.Equal(3, sms.Text.PartCount);
        Assert.Equal(2, Assert.Single(Accepted(Plain("", "X-Cellphone: 0412345678\n\n" + new string('a', 306)), "smsmail").Messages).Text.PartCount);
    }

    [Fact]
    public void Rejection_reply_code_is_that_of_the_first_permanent_reason()
    {
        var rejection = new Rejection([Reasons.Create(ReasonCode.LockedOut, "wait"), Reasons.Create(ReasonCode.InvalidNumber, "bad")]);
        Assert.Equal((550, "5.1.1"), (rejection.SmtpCode, rejection.EnhancedCode));
        Assert.Equal((451, "4.3.0"), (new Rejection(Reasons.InternalError).SmtpCode, Reasons.InternalError.EnhancedCode));
    }

    [Fact]
    public void Insufficient_credits_names_both_figures()
    {
        var reason = Reasons.InsufficientCredits(12, 5);
        Assert.Equal((550, "5.7.1"), (reason.SmtpCode, reason.EnhancedCode));
        Assert.Contains("needs 12 credits", reason.Text, StringComparison.Ordinal);
        Assert.Contains("has 5", reason.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_format_2_entry_is_named_by_its_n_name_and_number_as_written()
    {
        var longName = new string('N', 200);
        var accepted = Accepted(Plain("SMS:", $"[1]\nNumber=0412345678\nMessage=ok\n[2]\nMessage=no one\n[3]\nName={longName}\nNumber=02 9876 5432\nMessage=landline\n[4]\nName=Ann\nNumber=0412 345 679\nMessage={new string('x', 766)}"), "smsgateway");

        Assert.Equal(
            ["[2]", $"[3] Name={new string('N', 63)}\u2026, Number=02 9876 5432", "[4] Name=Ann, Number=0412 345 679"],
            accepted.Failures.Select(f => f.Where));
        Assert.Equal("[4] Name=Ann, Number=0412 345 679: The message has 766 characters; at most 765 are allowed.", accepted.Failures[2].ToString());
    }

    [Fact]
    public void A_CSV_row_that_failed_for_its_text_still_names_its_number_as_written()
    {
        var accepted = Accepted(WithCsv($"0412345678,ok\n0412 345 679,{new string('x', 766)}\n"), "bulksms");

        Assert.Equal("line 2, number 0412 345 679: The message has 766 characters; at most 765 are allowed.", Assert.Single(accepted.Failures).ToString());
    }

    [Fact]
    public void Failures_past_the_cap_are_counted_not_listed()
    {
        var csv = new StringBuilder("0412345678,ok\n");
        for (var i = 0; i < 2500; i++)
        {
            csv.Append("0298765432,landline\n");
        }

        var accepted = Assert.IsType<Acceptance>(IntakeRules.Decide(Facts(WithCsv(csv.ToString()), "bulksms"), Au, maxListedFailures: 1000));

        Assert.Single(accepted.Messages);
        Assert.Equal(2500, accepted.FailureCount);
        Assert.Equal(1000, accepted.Failures.Count);
        Assert.Equal(1500, accepted.UnlistedFailures);
        Assert.Equal("line 1001, number 0298765432", accepted.Failures[^1].Where);
    }

    [Fact]
    public void A_rejection_of_only_failures_lists_up_to_the_cap_and_counts_them_all()
    {
        var csv = string.Concat(Enumerable.Repeat("0298765432,landline\n", 30));

        var rejection = Assert.IsType<Rejection>(IntakeRules.Decide(Facts(WithCsv(csv), "bulksms"), Au, maxListedFailures: 10));

        Assert.Equal(10, rejection.Reasons.Count);
        Assert.Equal(30, rejection.ReasonCount);
        Assert.StartsWith("line 1, number 0298765432: ", rejection.Reasons[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_cap_is_1000_failures()
    {
        Assert.Equal(1000, IntakeRules.DefaultMaxListedFailures);
    }

    [Fact]
    public void A_subject_longer_than_998_characters_is_cut_with_an_ellipsis()
    {
        var facts = Facts(Plain("SMS " + new string('s', 300_000), "[1]\nNumber=0412345678\nMessage=ok"), "smsgateway");

        Assert.Equal(998, facts.Content.Subject.Length);
        Assert.EndsWith("s\u2026", facts.Content.Subject, StringComparison.Ordinal);
        var rejection = Assert.IsType<Rejection>(IntakeRules.Decide(facts, Au));
        Assert.True(rejection.Reasons[0].Text.Length < 1200, "the reason quotes the cut subject");
    }

    [Fact]
    public void NUL_and_control_characters_in_a_format_2_message_are_removed_and_LF_kept()
    {
        var sms = Assert.Single(Accepted(Plain("SMS:", "[1]\nNumber=0412345678\nMessage=Server\0 23\u0007\nis down\u001B"), "smsgateway").Messages);

        Assert.Equal("Server 23\nis down", sms.Text.Text);
    }
}
