using System.Globalization;
using System.Numerics;

namespace Mail2Sms.Smpp;

/// <summary>How an SMSC writes, in its receipts, the message ID it gave in submit_sm_resp.</summary>
public enum ReceiptIdForm
{
    /// <summary>The same text (case and leading zeros aside).</summary>
    SameText,
    /// <summary>The submit_sm_resp ID is hexadecimal; the receipt writes the same number in decimal.</summary>
    DecimalOfHex,
    /// <summary>The submit_sm_resp ID is decimal; the receipt writes the same number in hexadecimal.</summary>
    HexOfDecimal,
}

/// <summary>
/// Matching receipts to submits: SMSCs disagree with themselves on how they write a message ID, so
/// IDs are compared by a key, per SMSC setting, detected from the first receipt that matches when unset.
/// </summary>
public static class MessageIds
{
    /// <summary>An ID as receipts are looked up by: lower case, without leading zeros.</summary>
    public static string Key(string receiptId)
    {
        ArgumentNullException.ThrowIfNull(receiptId);
        var trimmed = receiptId.Trim().TrimStart('0').ToLowerInvariant();
        return trimmed.Length == 0 ? "0" : trimmed;
    }

    /// <summary>The key the receipt of a message with this submit_sm_resp ID will carry; null when the ID cannot be written that way.</summary>
    public static string? Key(string submitId, ReceiptIdForm form)
    {
        ArgumentNullException.ThrowIfNull(submitId);
        var id = submitId.Trim();
        return form switch
        {
            ReceiptIdForm.SameText => Key(id),
            ReceiptIdForm.DecimalOfHex => BigInteger.TryParse("0" + id, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex)
                ? hex.ToString(CultureInfo.InvariantCulture) : null,
            ReceiptIdForm.HexOfDecimal => BigInteger.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                ? Key(number.ToString("x", CultureInfo.InvariantCulture)) : null,
            _ => throw new ArgumentOutOfRangeException(nameof(form)),
        };
    }

    /// <summary>The form that makes <paramref name="receiptId"/> the receipt of <paramref name="submitId"/>, the plainest first; null when none does.</summary>
    public static ReceiptIdForm? Detect(string submitId, string receiptId)
    {
        var wanted = Key(receiptId);
        foreach (var form in (ReadOnlySpan<ReceiptIdForm>)[ReceiptIdForm.SameText, ReceiptIdForm.DecimalOfHex, ReceiptIdForm.HexOfDecimal])
        {
            if (Key(submitId, form) == wanted)
            {
                return form;
            }
        }

        return null;
    }
}
