using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Mail2Sms;

/// <summary>
/// The gateway's log (<c>Logging:*</c>): on standard error, a line per event, as plain text or, with
/// <c>Logging:Format=json</c>, as one JSON object per line with the message's properties under <c>State</c>.
/// Levels come from <c>Logging:LogLevel</c>, as in any .NET application. The web side (Kestrel, hosting,
/// routing) writes to this same log.
/// </summary>
internal static class Logs
{
    public static ILoggerFactory Create(IConfiguration configuration)
    {
        var format = configuration["Logging:Format"]?.ToLowerInvariant() ?? "text";
        if (format is not ("text" or "json"))
        {
            throw new SettingsException($"Logging:Format is '{format}'; it must be text or json.");
        }

        return LoggerFactory.Create(logging =>
        {
            // ASP.NET Core's and the host's lines only from warnings up, unless Logging:LogLevel says otherwise.
            logging.AddFilter("Microsoft", LogLevel.Warning);
            logging.AddConfiguration(configuration.GetSection("Logging"));
            // Standard output is the command's own: what it listens on, what to send.
            logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
            if (format == "json")
            {
                logging.AddJsonConsole(json =>
                {
                    json.UseUtcTimestamp = true;
                    json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                });
            }
            else
            {
                logging.AddSimpleConsole(text => text.SingleLine = true);
            }
        });
    }
}
