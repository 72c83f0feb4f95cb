namespace Mail2Sms.Gateway.Storage;

/// <summary>How <c>emails.source</c> writes an <see cref="IntakeSource"/>: 'email' or 'api'.</summary>
internal static class IntakeSourceColumn
{
    public static string Write(IntakeSource source) => source == IntakeSource.Api ? "api" : "email";

    public static IntakeSource Read(string source) => source == "api" ? IntakeSource.Api : IntakeSource.Email;
}
