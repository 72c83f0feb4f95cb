using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Mail2Sms.Smpp;

/// <summary>
/// A delivery receipt: a deliver_sm whose <c>esm_class &amp; 0x3C</c> is 0x04, its text in the
/// de facto format of the specification's appendix B (<c>id:… sub:… dlvrd:… submit date:… done date:…
/// stat:… err:… text:…</c>). The ID is taken from receipted_message_id when the SMSC sends it.
/// </summary>
/// <param name="MessageId">The SMSC's ID of the message the receipt is for, as the SMSC wrote it.</param>
/// <param name="State">stat: DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD, UNKNOWN, REJECTD, ENROUTE.</param>
/// <param name="Error">err: the network's error code, as written.</param>
/// <param name="Submitted">sub: parts submitted, when given.</param>
/// <param name="Delivered">dlvrd: parts delivered, when given.</param>
/// <param name="SubmitDate">submit date, when readable (YYMMDDhhmm or YYMMDDhhmmss, UTC as the SMSC meant it).</param>
/// <param name="DoneDate">done date, when readable.</param>
/// <param name="Text">text: the start of the message, when given.</param>
public sealed partial record DeliveryReceipt(string MessageId, string State, string? Error, int? Submitted, int? Delivered, DateTime? SubmitDate, DateTime? DoneDate, string? Text)
{
    [GeneratedRegex(@"(?<key>id|sub|dlvrd|submit date|done date|stat|err|text):(?<value>.*?)(?=\s+(?:id|sub|dlvrd|submit date|done date|stat|err|text):|$)",
        RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Field();

    /// <summary>True when <paramref name="deliver"/> is a delivery receipt rather than a message from a mobile.</summary>
    public static bool IsReceipt(ShortMessage deliver) => (deliver.EsmClass & 0x3C) == 0x04;

    /// <summary>True when the message reached its phone.</summary>
    public bool IsDelivered => State.Equals("DELIVRD", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a receipt; null when <paramref name="deliver"/> is not one or names no message.</summary>
    public static DeliveryReceipt? Read(ShortMessage deliver)
    {
        if (!IsReceipt(deliver))
        {
            return null;
        }

        var text = Encoding.Latin1.GetString((deliver.Message.IsEmpty ? deliver.Tlvs.Find(TlvTag.MessagePayload)?.Value ?? default : deliver.Message).Span);
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match match in Field().Matches(text))
        {
            fields.TryAdd(match.Groups["key"].Value, match.Groups["value"].Value.Trim());
        }

        var id = deliver.Tlvs.Find(TlvTag.ReceiptedMessageId)?.AsString() is { Length: > 0 } receipted ? receipted : fields.GetValueOrDefault("id");
        if (string.IsNullOrEmpty(id))
        {
            return null;
        }

        var state = fields.GetValueOrDefault("stat") ?? StateName(deliver.Tlvs.Find(TlvTag.MessageState)?.AsByte());
        return new DeliveryReceipt(id, state, fields.GetValueOrDefault("err"), Number(fields.GetValueOrDefault("sub")), Number(fields.GetValueOrDefault("dlvrd")),
            Date(fields.GetValueOrDefault("submit date")), Date(fields.GetValueOrDefault("done date")), fields.GetValueOrDefault("text"));
    }

    /// <summary>The receipt's text as SMSCs write it.</summary>
    public string Format() => string.Create(CultureInfo.InvariantCulture,
        $"id:{MessageId} sub:{Submitted ?? 1:000} dlvrd:{Delivered ?? 0:000} submit date:{SubmitDate:yyMMddHHmm} done date:{DoneDate:yyMMddHHmm} stat:{State} err:{Error ?? "000"} text:{Text}");

    /// <summary>The message_state value of a stat word (1 enroute … 8 rejected).</summary>
    public static byte StateValue(string state) => state.ToUpperInvariant() switch
    {
        "ENROUTE" => 1,
        "DELIVRD" => 2,
        "EXPIRED" => 3,
        "DELETED" => 4,
        "UNDELIV" => 5,
        "ACCEPTD" => 6,
        "REJECTD" => 8,
        _ => 7,
    };

    private static string StateName(byte? value) => value switch
    {
        1 => "ENROUTE",
        2 => "DELIVRD",
        3 => "EXPIRED",
        4 => "DELETED",
        5 => "UNDELIV",
        6 => "ACCEPTD",
        8 => "REJECTD",
        _ => "UNKNOWN",
    };

    private static int? Number(string? text) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static DateTime? Date(string? text) =>
        DateTime.TryParseExact(text, ["yyMMddHHmm", "yyMMddHHmmss"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : null;
}
