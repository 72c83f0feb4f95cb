using System.Globalization;
using FsCheck.Xunit;
using Mail2Sms.Core.Intake;
using Mail2Sms.Core.Numbers;

namespace Mail2Sms.Core.Tests.Numbers;

public sealed class PhoneNumberRulesTests
{
    private static readonly PhoneNumberRules Australia = new("AU");

    private static string Accepted(PhoneNumberRules rules, string written)
    {
        var result = rules.Read(written);
        Assert.True(result.IsValid, $"'{written}' was refused: {result.Failure}");
        Assert.Null(result.Failure);
        return result.International!;
    }

    private static Reason Refused(PhoneNumberRules rules, string written)
    {
        var result = rules.Read(written);
        Assert.False(result.IsValid, $"'{written}' was accepted as {result.International}");
        Assert.Null(result.International);
        var reason = Assert.IsType<Reason>(result.Failure);
        Assert.Contains($"'{written.Trim()}'", reason.Text, StringComparison.Ordinal);
        return reason;
    }

    [Theory]
    [InlineData("0412 345 678")]
    [InlineData("0412-345-678")]
    [InlineData("0412.345.678")]
    [InlineData("(04) 1234 5678")]
    [InlineData(" 0412345678 ")]
    [InlineData("0412\u00A0345\u00A0678")]
    public void Separators_people_write_are_ignored(string written)
    {
        Assert.Equal("61412345678", Accepted(Australia, written));
    }

    [Theory]
    [InlineData("+61 412 345 678")]
    [InlineData("+61412345678")]
    [InlineData("(+61) 412 345 678")]
    [InlineData("0061 412 345 678")]
    [InlineData("0011 61 412 345 678")]
    public void Plus_00_and_the_countrys_own_international_prefix_mark_the_international_form(string written)
    {
        Assert.Equal("61412345678", Accepted(Australia, written));
    }

    [Fact]
    public void The_countrys_international_prefix_is_tried_before_00()
    {
        // Read as 00 + "1161412345678" this would be an invalid number; read as 0011 + 61... it is a mobile.
        Assert.Equal("61412345678", Accepted(Australia, "001161412345678"));
        Assert.Equal("447400123456", Accepted(Australia, "0011 44 7400 123456"));
    }

    [Fact]
    public void Plus_00_and_0011_are_each_followed_by_the_country_code_not_the_trunk_prefix()
    {
        Assert.Equal("447400123456", Accepted(Australia, "+44 7400 123456"));
        Assert.Equal("447400123456", Accepted(Australia, "0044 7400 123456"));
    }

    [Fact]
    public void A_trunk_prefix_number_is_domestic_to_the_accounts_country()
    {
        Assert.Equal("61412345678", Accepted(Australia, "0412345678"));
        Assert.Equal("61417999999", Accepted(Australia, "0417999999"));
        Assert.Equal("64211234567", Accepted(new PhoneNumberRules("NZ"), "021 123 4567"));
        Assert.Equal("4915112345678", Accepted(new PhoneNumberRules("DE"), "0151 12345678"));
    }

    [Fact]
    public void An_international_number_without_its_plus_is_read_as_international()
    {
        Assert.Equal("61412345678", Accepted(Australia, "61412345678"));
        Assert.Equal("61417999999", Accepted(Australia, "61417999999"));
        Assert.Equal("447400123456", Accepted(Australia, "447400123456"));
    }

    [Fact]
    public void A_leading_zero_dropped_by_a_spreadsheet_is_read_as_national()
    {
        Assert.Equal("61412345678", Accepted(Australia, "412345678"));
    }

    [Fact]
    public void A_stray_trunk_prefix_after_the_country_code_is_not_sent_on()
    {
        // "+61 (0)412..." is how many people write it; the SMS centre must get 61412345678, not 610412345678.
        Assert.Equal("61412345678", Accepted(Australia, "+61 (0)412 345 678"));
        Assert.Equal("61412345678", Accepted(Australia, "610412345678"));
        Assert.Equal("447400123456", Accepted(new PhoneNumberRules(null), "+44 (0)7400 123456"));
    }

    [Fact]
    public void Every_way_of_writing_one_number_gives_the_same_international_form()
    {
        string[] ways = ["0412345678", "+61412345678", "61412345678", "0011 61 412 345 678", "0061412345678", "412345678", "+61 (0)412-345-678"];
        Assert.Single(ways.Select(w => Accepted(Australia, w)).Distinct());
    }

    [Property(MaxTest = 300)]
    public bool Any_Australian_mobile_reads_the_same_however_it_is_written(uint seed)
    {
        // FsCheck's integers start small; spread them over all eight-digit subscriber numbers.
        var subscriber = new Random((int)seed).Next(100_000_000).ToString("D8", CultureInfo.InvariantCulture);
        var national = Australia.Read("04" + subscriber);
        if (!national.IsValid)
        {
            // Not every 04 number is allocated; those must fail in every form too.
            return !Australia.Read("+614" + subscriber).IsValid;
        }

        string[] ways =
        [
            $"+61 4{subscriber[..2]} {subscriber[2..5]} {subscriber[5..]}",
            "614" + subscriber,
            "0011614" + subscriber,
            "00614" + subscriber,
            $"+61 (0)4{subscriber}",
            $"04{subscriber[..2]}-{subscriber[2..5]}-{subscriber[5..]}",
        ];
        return national.International == "614" + subscriber
            && ways.All(w => Australia.Read(w).International == national.International);
    }

    [Theory]
    [InlineData("2015550123")]
    [InlineData("(201) 555-0123")]
    [InlineData("201.555.0123")]
    [InlineData("+1 201 555 0123")]
    [InlineData("1 201 555 0123")]
    [InlineData("12015550123")]
    public void North_American_numbers_have_no_trunk_prefix_and_are_fixed_line_or_mobile(string written)
    {
        Assert.Equal("12015550123", Accepted(new PhoneNumberRules("US"), written));
    }

    [Fact]
    public void A_US_account_dials_abroad_with_011()
    {
        Assert.Equal("61412345678", Accepted(new PhoneNumberRules("US"), "011 61 412 345 678"));
    }

    [Fact]
    public void A_GB_mobile_in_national_form_is_accepted()
    {
        var britain = new PhoneNumberRules("GB");
        Assert.Equal("447400123456", Accepted(britain, "07400 123456"));
        Assert.Equal("447400123456", Accepted(britain, "+44 7400 123456"));
    }

    [Fact]
    public void The_GB_drama_number_07700_900123_is_not_a_mobile_number_in_libphonenumbers_metadata()
    {
        // Ofcom keeps 07700 900000-900999 for drama; libphonenumber knows it is not allocated, so it is refused.
        var reason = Refused(new PhoneNumberRules("GB"), "07700 900123");
        Assert.Equal(ReasonCode.InvalidNumber, reason.Code);
        Assert.Contains("not a valid mobile number of GB", reason.Text, StringComparison.Ordinal);
        Assert.Contains("+447700900123", reason.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("61412345678", reason.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_Australian_landline_is_refused_as_fixed_line_not_mobile()
    {
        var reason = Refused(Australia, "02 9876 5432");
        Assert.Equal(ReasonCode.InvalidNumber, reason.Code);
        Assert.Equal(550, reason.SmtpCode);
        Assert.Equal("5.1.1", reason.EnhancedCode);
        Assert.Contains("fixed-line", reason.Text, StringComparison.Ordinal);
        Assert.Contains("not a mobile number", reason.Text, StringComparison.Ordinal);
        Assert.Contains("fixed-line", Refused(Australia, "+61 2 9876 5432").Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_non_mobile_kinds_are_named_in_the_reason()
    {
        Assert.Contains("shared-cost", Refused(Australia, "1300 123 456").Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0412", "+61412 it has 5 digits")]
    [InlineData("123", "+123 it has 3 digits")]
    [InlineData("0011 123456", "+123456 it has 6 digits")]
    public void A_number_too_short_is_refused_saying_how_it_was_read(string written, string said)
    {
        var reason = Refused(Australia, written);
        Assert.Equal(ReasonCode.InvalidNumber, reason.Code);
        Assert.Contains($"'{written}' is too short", reason.Text, StringComparison.Ordinal);
        Assert.Contains(said, reason.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "0412345678")]
    [InlineData("AU", "0000000000")]
    [InlineData(null, "00 0412345678")]
    public void Relaxed_numbers_are_still_international(string? country, string written)
    {
        Assert.Equal(ReasonCode.InvalidNumber, Refused(new PhoneNumberRules(country, Relaxed: true), written).Code);
    }

    [Fact]
    public void A_mobile_reading_of_the_account_country_wins_over_a_foreign_landline_reading()
    {
        // 493012345 reads internationally as a Berlin landline (+49 30 12345); SMS cannot reach a landline,
        // so the national reading (a dropped trunk 0: 0493 012 345) is the one that can be meant.
        Assert.Equal("61493012345", Australia.Read("493012345").International);
    }

    [Fact]
    public void A_number_too_long_is_refused()
    {
        var reason = Refused(Australia, "+61 412 345 678 901 234");
        Assert.Contains("too long", reason.Text, StringComparison.Ordinal);
        Assert.Contains("17 digits", reason.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0412abc678")]
    [InlineData("call me")]
    [InlineData("+")]
    [InlineData("++61412345678")]
    [InlineData("61+412345678")]
    [InlineData("0412345678 ext 5")]
    public void Letters_and_misplaced_plus_signs_are_refused(string written)
    {
        var reason = Refused(Australia, written);
        Assert.Equal(ReasonCode.InvalidNumber, reason.Code);
        Assert.Contains("is not a phone number", reason.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void No_number_at_all_is_a_missing_number(string written)
    {
        var result = Australia.Read(written);
        Assert.False(result.IsValid);
        Assert.Equal(ReasonCode.MissingNumber, result.Failure!.Code);
    }

    [Fact]
    public void An_account_without_a_country_refuses_national_form_and_says_to_write_it_internationally()
    {
        var rules = new PhoneNumberRules(null);
        var reason = Refused(rules, "0412 345 678");
        Assert.Equal(ReasonCode.InvalidNumber, reason.Code);
        Assert.Contains("national form", reason.Text, StringComparison.Ordinal);
        Assert.Contains("international form", reason.Text, StringComparison.Ordinal);
        Assert.False(rules.Read("412345678").IsValid);
    }

    [Theory]
    [InlineData("+61 412 345 678")]
    [InlineData("61412345678")]
    [InlineData("0061412345678")]
    public void An_account_without_a_country_accepts_international_numbers(string written)
    {
        Assert.Equal("61412345678", Accepted(new PhoneNumberRules(null), written));
    }

    [Fact]
    public void The_accounts_country_is_read_in_any_case()
    {
        Assert.Equal("61412345678", Accepted(new PhoneNumberRules("au"), "0412345678"));
        Assert.Equal("AU", new PhoneNumberRules(" au ").Country);
    }

    [Fact]
    public void A_country_libphonenumber_does_not_know_is_refused_when_the_rules_are_made()
    {
        var error = Assert.Throws<ArgumentException>(() => new PhoneNumberRules("XX"));
        Assert.Contains("'XX'", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Australia with { Country = "ZZ" });
    }

    [Fact]
    public void Relaxed_rules_accept_the_documents_own_example_numbers()
    {
        var relaxed = new PhoneNumberRules("AU", Relaxed: true);
        Refused(Australia, "6140900000");
        Assert.Equal("6140900000", Accepted(relaxed, "6140900000"));
        Assert.Equal("61298765432", Accepted(relaxed, "02 9876 5432"));
        Assert.Equal("61412345678", Accepted(relaxed, "0412345678"));
        Assert.Equal("12345678", Accepted(relaxed, "12345678"));
        Assert.Equal("123456789012345", Accepted(relaxed, "123456789012345"));
    }

    [Theory]
    [InlineData("1234567", "too short")]
    [InlineData("1234567890123456", "too long")]
    public void Relaxed_rules_still_want_8_to_15_digits(string written, string why)
    {
        var reason = Refused(new PhoneNumberRules("AU", Relaxed: true), written);
        Assert.Equal(ReasonCode.InvalidNumber, reason.Code);
        Assert.Contains(why, reason.Text, StringComparison.Ordinal);
        Assert.Contains("8 to 15", reason.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("6.14091E+11")]
    [InlineData("6,14091E+11")]
    [InlineData("6.14091e+11")]
    [InlineData("6.14091E11")]
    public void A_number_a_spreadsheet_turned_into_scientific_notation_is_refused_saying_so(string written)
    {
        foreach (var rules in new[] { Australia, new PhoneNumberRules(null), new PhoneNumberRules("AU", Relaxed: true) })
        {
            var reason = Refused(rules, written);
            Assert.Equal(ReasonCode.NumberInScientificNotation, reason.Code);
            Assert.Contains("spreadsheet", reason.Text, StringComparison.Ordinal);
            Assert.Contains("scientific notation", reason.Text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("02 9876 5432")]
    [InlineData("0412")]
    [InlineData("0412abc678")]
    [InlineData("6140900000")]
    [InlineData("6.14091E+11")]
    [InlineData("  +61 2 9876 5432  ")]
    public void Every_failure_names_the_number_as_written(string written)
    {
        // Refused() asserts that the reason quotes the number as the sender wrote it.
        Refused(Australia, written);
    }
}
