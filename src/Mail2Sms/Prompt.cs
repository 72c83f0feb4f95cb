using System.Text;

namespace Mail2Sms;

/// <summary>Asks at the terminal without echoing what is typed.</summary>
internal static class Prompt
{
    public static string Password(TextWriter output, string question)
    {
        output.Write(question);
        var typed = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                output.WriteLine();
                return typed.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                typed.Length = Math.Max(0, typed.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                typed.Append(key.KeyChar);
            }
        }
    }
}
