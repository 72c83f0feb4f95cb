using Mail2Sms.Core.Intake;

namespace Mail2Sms.Core.Accounts;

/// <summary>
/// What a user of an account may be: an address, or a <c>*@domain</c> pattern that authenticates by IP
/// address only and so never has a password. Each rule returns the operator's sentence, or null.
/// </summary>
public static class UserRules
{
    /// <summary>True for a <c>*@domain</c> pattern.</summary>
    public static bool IsPattern(string address) => address.StartsWith("*@", StringComparison.Ordinal);

    /// <summary>
    /// Why <paramref name="address"/> cannot be a new user (with a password when <paramref name="hasPassword"/>), or
    /// null; <paramref name="normalized"/> is the address as users are kept (trimmed, lower case).
    /// </summary>
    public static string? NewUserProblem(string? address, bool hasPassword, out string normalized)
    {
        normalized = string.Empty;
        return SenderNames.UserAddressProblem(address?.Trim())
            ?? AddressProblem(address!, out normalized)
            ?? PasswordProblem(normalized, hasPassword);
    }

    /// <summary>
    /// Why a user cannot be changed as asked, or null; <paramref name="normalized"/> is its address as kept.
    /// A null setting stays as it is; an empty <paramref name="password"/> removes the password.
    /// </summary>
    public static string? ChangeProblem(string address, bool? receiptEmails, bool? disabled, string? password, out string normalized) =>
        AddressProblem(address, out normalized)
        ?? (receiptEmails is null && disabled is null && password is null ? $"Nothing to change for {normalized}: give receipt emails, disabled or a password." : null)
        ?? PasswordProblem(normalized, !string.IsNullOrEmpty(password));

    /// <summary>Why <paramref name="address"/> is not an address or <c>*@domain</c> pattern as users are kept, or null; <paramref name="normalized"/> is it trimmed and in lower case.</summary>
    public static string? AddressProblem(string address, out string normalized)
    {
        var trimmed = address.Trim().ToLowerInvariant();
        var at = trimmed.LastIndexOf('@');
        normalized = trimmed;
        return at <= 0 || at == trimmed.Length - 1 || trimmed.Any(char.IsWhiteSpace) || (trimmed.Contains('*', StringComparison.Ordinal) && !IsPattern(trimmed))
            || trimmed.LastIndexOf('*') > 0
            ? $"'{address}' is not an email address or a *@domain pattern."
            : null;
    }

    private static string? PasswordProblem(string normalized, bool hasPassword) =>
        IsPattern(normalized) && hasPassword ? $"{normalized} is a pattern: patterns authenticate by IP address only and have no password." : null;

    /// <summary>Why <paramref name="name"/> cannot be a dashboard operator's name, or null; <paramref name="trimmed"/> is the name as kept.</summary>
    public static string? OperatorProblem(string name, string? password, out string trimmed)
    {
        trimmed = name.Trim();
        return trimmed.Length is 0 or > 64 || trimmed.Any(char.IsControl) ? "An operator's name is 1 to 64 characters, none of them control characters."
            : string.IsNullOrEmpty(password) ? $"Operator {trimmed} needs a password."
            : null;
    }
}
