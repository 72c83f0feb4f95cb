using System.Globalization;
using Mail2Sms.Gateway.Storage;

namespace Mail2Sms.Web.Dashboard;

/// <summary>
/// The overview's chart of SMS per minute, drawn on the server as inline SVG (the pages run no script), one line a series,
/// with the numbers of each active minute in a table beneath for whoever cannot see the lines.
/// </summary>
internal static class OverviewChart
{
    private const int Width = 760, Height = 260, Left = 48, Right = 12, Top = 30, Bottom = 40;

    private static readonly (string Name, string Colour, Func<SmsMinute, long> Count)[] Series =
    [
        ("accepted", "#3b5bdb", m => m.Accepted),
        ("submitted", "#b08800", m => m.Submitted),
        ("delivered", "#176b2c", m => m.Delivered),
        ("failed", "#a3261b", m => m.Failed),
    ];

    public static void Add(Html body, SmsPerMinute chart)
    {
        body.Add($"<h2>SMS per minute, last {chart.Hours} hours (UTC)</h2>");
        if (chart.Active.Count == 0)
        {
            body.Add($"""<p id="chart-empty">No SMS in the last {chart.Hours} hours.</p>""");
            return;
        }

        var minutes = chart.Hours * 60;
        var byMinute = chart.Active.ToDictionary(m => (int)(m.Minute - chart.From).TotalMinutes);
        var max = Math.Max(1, chart.Active.Max(m => Series.Max(s => s.Count(m))));
        double X(int minute) => Left + ((Width - Left - Right) * minute / (double)(minutes - 1));
        double Y(long count) => Height - Bottom - ((Height - Top - Bottom) * count / (double)max);
        var title = $"SMS per minute over the last {chart.Hours} hours: accepted, submitted, delivered and failed; the most in a minute was {max}.";

        body.Add($"""
            <svg id="chart" role="img" aria-label="{title}" viewBox="0 0 {Width} {Height}" width="100%" height="{Height}" font-size="11" font-family="system-ui, sans-serif">
            <title>{title}</title>
            <line x1="{Left}" y1="{Y(0):F1}" x2="{Width - Right}" y2="{Y(0):F1}" stroke="#5a6275"/>
            <line x1="{Left}" y1="{Y(max):F1}" x2="{Width - Right}" y2="{Y(max):F1}" stroke="#e1e4ea"/>
            <text x="{Left - 6}" y="{Y(0):F1}" text-anchor="end" dominant-baseline="middle">0</text>
            <text x="{Left - 6}" y="{Y(max):F1}" text-anchor="end" dominant-baseline="middle">{max}</text>
            <text x="12" y="{(Top + Height - Bottom) / 2}" text-anchor="middle" transform="rotate(-90 12 {(Top + Height - Bottom) / 2})">SMS per minute</text>
            <text x="{(Left + Width - Right) / 2}" y="{Height - 4}" text-anchor="middle">time (UTC)</text>
            """);
        for (var minute = 0; minute < minutes; minute++)
        {
            if (chart.From.AddMinutes(minute) is { Minute: 0 } hour)
            {
                body.Add($"""<text x="{X(minute):F1}" y="{Height - Bottom + 14}" text-anchor="middle">{hour.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture)}</text>""");
            }
        }

        for (var i = 0; i < Series.Length; i++)
        {
            var (name, colour, count) = Series[i];
            var points = string.Join(' ', Enumerable.Range(0, minutes).Select(m =>
                string.Create(CultureInfo.InvariantCulture, $"{X(m):F1},{Y(byMinute.TryGetValue(m, out var active) ? count(active) : 0):F1}")));
            body.Add($"""
                <polyline class="series" data-series="{name}" fill="none" stroke="{colour}" stroke-width="1.5" points="{points}"/>
                <rect x="{Left + (i * 110)}" y="8" width="12" height="12" fill="{colour}"/><text x="{Left + (i * 110) + 16}" y="18">{name}</text>
                """);
        }

        body.Add($"""
            </svg>
            <details><summary>The numbers, minute by minute</summary>
            <table id="per-minute"><thead><tr><th>Minute (UTC)</th><th>Accepted</th><th>Submitted</th><th>Delivered</th><th>Failed</th></tr></thead><tbody>
            """);
        foreach (var m in chart.Active)
        {
            body.Add($"""<tr><td>{m.Minute.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}</td><td>{m.Accepted}</td><td>{m.Submitted}</td><td>{m.Delivered}</td><td>{m.Failed}</td></tr>""");
        }

        body.Add($"</tbody></table></details>");
    }
}
