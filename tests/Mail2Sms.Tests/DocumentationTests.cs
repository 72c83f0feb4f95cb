using System.Text;
using System.Text.RegularExpressions;

namespace Mail2Sms.Tests;

/// <summary>
/// The documentation a newcomer walks: the README stays a short map, and every link of every markdown
/// file leads to a file (and heading) inside the repository, never to a folder beside it.
/// </summary>
public sealed partial class DocumentationTests
{
    private const int MostReadmeBytes = 10_240;

    private static readonly string Root = FindRoot();

    [Fact]
    public void The_readme_is_at_most_10_KB()
    {
        var bytes = new FileInfo(Path.Combine(Root, "README.md")).Length;
        Assert.True(bytes <= MostReadmeBytes, $"README.md is {bytes:N0} bytes; at most {MostReadmeBytes:N0}: move the detail into docs/ and link to it.");
    }

    [Fact]
    public void The_readme_opens_with_the_two_commands()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        Assert.StartsWith("# Mail2Sms\n\n```sh\ndotnet run --project src/Mail2Sms -- serve --demo\ndotnet test Mail2Sms.slnx\n```\n", readme.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_documentation_the_readme_links_to_is_found()
    {
        var files = MarkdownFiles().Select(Relative).ToList();
        Assert.Contains("README.md", files);
        Assert.Contains("src/Mail2Sms.Smpp/README.md", files);
        foreach (var page in new[] { "formats", "decisions", "customer-email-api", "operator-guide", "configuration", "operations", "architecture" })
        {
            Assert.Contains($"docs/{page}.md", files);
        }
    }

    [Fact]
    public void Every_relative_link_resolves_to_a_file_and_heading_inside_the_repository()
    {
        var broken = new List<string>();
        foreach (var file in MarkdownFiles())
        {
            foreach (var (line, target) in Links(File.ReadAllText(file)))
            {
                if (Problem(file, target) is { } problem)
                {
                    broken.Add($"{Relative(file)}:{line}: ({target}) {problem}");
                }
            }
        }

        Assert.True(broken.Count == 0, "Links that lead nowhere:\n" + string.Join('\n', broken));
    }

    [Fact]
    public void No_markdown_file_points_outside_the_repository()
    {
        var outside = MarkdownFiles()
            .Where(f => File.ReadAllText(f).Contains("../shared", StringComparison.Ordinal))
            .Select(Relative)
            .ToList();
        Assert.True(outside.Count == 0, "Files naming ../shared (copy what they need into docs/ instead): " + string.Join(", ", outside));
    }

    [Fact]
    public void A_link_to_a_missing_file_or_heading_or_outside_the_repository_is_found_broken()
    {
        // The checker itself, on links written to fail, so the test above cannot pass by finding no link.
        var readme = Path.Combine(Root, "README.md");
        var links = Links("[a](docs/nowhere.md) [b](../shared/spec/FORMATS.md) [c](docs/formats.md#no-such-heading) `[d](docs/nowhere.md)`\n"
            + "```\n[e](docs/nowhere.md)\n```\n[f](docs/formats.md) [g](https://example.com/x)\n").ToList();
        Assert.Equal<string>(["docs/nowhere.md", "../shared/spec/FORMATS.md", "docs/formats.md#no-such-heading", "docs/formats.md", "https://example.com/x"],
            links.Select(l => l.Target));
        Assert.Equal<string?>(["no such file", "leaves the repository", "no heading #no-such-heading in docs/formats.md", null, null],
            links.Select(l => Problem(readme, l.Target)));
    }

    [Theory]
    [InlineData("Where each rule of the decisions lives", "where-each-rule-of-the-decisions-lives")]
    [InlineData("The Gateway's rooms", "the-gateways-rooms")]
    [InlineData("A first walk: the demo", "a-first-walk-the-demo")]
    [InlineData("Format 1, `<mobile>@domain`", "format-1-mobiledomain")]
    [InlineData("Reports name who got nothing (FORMATS.md 2026-12-07)", "reports-name-who-got-nothing-formatsmd-2026-12-07")]
    public void A_heading_is_linked_by_its_github_anchor(string heading, string anchor) => Assert.Equal(anchor, Anchor(heading));

    /// <summary>Every markdown file of the repository: README.md, docs/, each project's README; not build output or packages.</summary>
    private static List<string> MarkdownFiles()
    {
        var files = new List<string>();
        var folders = new Stack<string>([Root]);
        while (folders.TryPop(out var folder))
        {
            files.AddRange(Directory.EnumerateFiles(folder, "*.md"));
            foreach (var child in Directory.EnumerateDirectories(folder))
            {
                if (Path.GetFileName(child) is not ("bin" or "obj" or "node_modules" or "TestResults") && !Path.GetFileName(child).StartsWith('.'))
                {
                    folders.Push(child);
                }
            }
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>Inline links and images, <c>[text](target)</c>, and reference definitions, outside code blocks and code spans.</summary>
    private static IEnumerable<(int Line, string Target)> Links(string markdown)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        string? fence = null;
        for (var i = 0; i < lines.Length; i++)
        {
            if (FenceOf(lines[i]) is { } marker && (fence is null || marker.StartsWith(fence, StringComparison.Ordinal)))
            {
                fence = fence is null ? marker : null;
                continue;
            }

            if (fence is not null)
            {
                continue;
            }

            var text = CodeSpan().Replace(lines[i], string.Empty);
            foreach (Match link in InlineLink().Matches(text))
            {
                yield return (i + 1, link.Groups["target"].Value);
            }

            if (ReferenceDefinition().Match(text) is { Success: true } definition)
            {
                yield return (i + 1, definition.Groups["target"].Value);
            }
        }
    }

    /// <summary>Why a link from <paramref name="file"/> to <paramref name="target"/> leads nowhere, or null when it leads to a file or heading of the repository.</summary>
    private static string? Problem(string file, string target)
    {
        if (Scheme().IsMatch(target))
        {
            return target.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ? "leaves the repository" : null;
        }

        var hash = target.IndexOf('#', StringComparison.Ordinal);
        var path = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
        var anchor = hash < 0 ? null : target[(hash + 1)..];
        if (path.StartsWith('/'))
        {
            return "is an absolute path: write it relative to the file";
        }

        var resolved = path.Length == 0 ? file : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, path));
        if (!resolved.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && resolved != Root)
        {
            return "leaves the repository";
        }

        if (!File.Exists(resolved) && !Directory.Exists(resolved))
        {
            return "no such file";
        }

        return anchor is null || Anchors(resolved).Contains(anchor) ? null : $"no heading #{anchor} in {Relative(resolved)}";
    }

    /// <summary>The anchors GitHub gives the headings of a markdown file (a repeated heading gets <c>-1</c>, <c>-2</c>...).</summary>
    private static HashSet<string> Anchors(string file)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        if (!file.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || !File.Exists(file))
        {
            return anchors;
        }

        string? fence = null;
        foreach (var line in File.ReadAllText(file).ReplaceLineEndings("\n").Split('\n'))
        {
            if (FenceOf(line) is { } marker && (fence is null || marker.StartsWith(fence, StringComparison.Ordinal)))
            {
                fence = fence is null ? marker : null;
            }
            else if (fence is null && Heading().Match(line) is { Success: true } heading)
            {
                var anchor = Anchor(heading.Groups["text"].Value);
                var unique = anchor;
                for (var n = 1; !anchors.Add(unique); n++)
                {
                    unique = $"{anchor}-{n}";
                }
            }
        }

        return anchors;
    }

    /// <summary>GitHub's anchor of a heading: the text of its links, lower case, punctuation dropped, spaces as hyphens.</summary>
    private static string Anchor(string heading)
    {
        var text = InlineLinkText().Replace(heading.Trim(), "${text}").ToLowerInvariant();
        var anchor = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                anchor.Append(c);
            }
            else if (c == ' ')
            {
                anchor.Append('-');
            }
        }

        return anchor.ToString();
    }

    private static string? FenceOf(string line) => Fence().Match(line) is { Success: true } fence ? fence.Groups["marker"].Value : null;

    private static string Relative(string path) => Path.GetRelativePath(Root, path).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>The repository's root: the folder above the test's output that holds <c>Mail2Sms.slnx</c>.</summary>
    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Mail2Sms.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Mail2Sms.slnx above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"^ {0,3}(?<marker>`{3,}|~{3,})")]
    private static partial Regex Fence();

    [GeneratedRegex(@"`+[^`]*`+")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"!?\[[^\]]*\]\(\s*<?(?<target>[^)\s>]+)>?(?:\s+""[^""]*"")?\s*\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"\[(?<text>[^\]]*)\]\([^)]*\)")]
    private static partial Regex InlineLinkText();

    [GeneratedRegex(@"^ {0,3}\[[^\]]+\]:\s*<?(?<target>[^\s>]+)>?")]
    private static partial Regex ReferenceDefinition();

    [GeneratedRegex(@"^ {0,3}#{1,6}\s+(?<text>.*?)(?:\s+#+)?\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Scheme();
}
