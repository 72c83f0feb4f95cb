using System.CommandLine;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms;

/// <summary><c>mail2sms operator ...</c>: the people who sign in to the dashboard.</summary>
internal static class OperatorCommands
{
    public static Command Create(Settings settings)
    {
        var name = new Argument<string>("NAME") { Description = "The name the operator signs in with." };
        var password = new Option<string?>("--password") { Description = "The operator's password; asked for, without echo, when absent and input is a terminal." };
        var add = new Command("add", "Add an operator who can sign in to the dashboard.") { name, password };
        add.SetAction((parse, token) => settings.RunAsync(parse, async (IStorage storage, TextWriter output) =>
        {
            var who = parse.GetRequiredValue(name);
            var secret = parse.GetValue(password) ?? (Console.IsInputRedirected ? null : Prompt.Password(output, $"Password for operator {who}: "));
            if (string.IsNullOrEmpty(secret))
            {
                throw new ArgumentException("An operator needs a password: give --password, or run this at a terminal to be asked for one.");
            }

            await storage.Operators.AddAsync(who, secret, cancellationToken: token).ConfigureAwait(false);
            output.WriteLine($"Operator {who.Trim()} added; sign in at the dashboard's /dashboard.");
        }));
        return new Command("operator", "Manage the dashboard's operators.") { add };
    }
}
