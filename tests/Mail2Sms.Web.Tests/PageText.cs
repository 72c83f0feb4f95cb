using System.Net;
using System.Text.RegularExpressions;

namespace Mail2Sms.Web.Tests;

/// <summary>What a dashboard page shows, as a reader sees it: a table's rows as text.</summary>
internal static class PageText
{
    public static string Table(string page, string id) =>
        Regex.Match(page, $"""<table id="{id}">.*?<tbody>(.*?)</tbody>""", RegexOptions.Singleline) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"no table {id}");

    // Each row's cells as text, joined by single spaces.
    public static List<string> Rows(string tbody) =>
        [.. Regex.Matches(tbody, "<tr[^>]*>(.*?)</tr>", RegexOptions.Singleline).Select(m => Text(m.Groups[1].Value))];

    public static string Text(string html) =>
        WebUtility.HtmlDecode(Regex.Replace(Regex.Replace(html, "<[^>]+>", " "), @"\s+", " ")).Trim().Replace(" :", ":", StringComparison.Ordinal);
}
