using Mail2Sms.Core.Mail;

namespace Mail2Sms.Core.Tests.Mail;

public sealed class HtmlToPlainTextTests
{
    [Fact]
    public void Outlook_MsoNormal_paragraphs_are_lines_and_its_nbsp_paragraphs_are_blank_lines()
    {
        const string html = """
            <html xmlns:o="urn:schemas-microsoft-com:office:office">
            <head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
            <style><!-- p.MsoNormal {margin:0cm; font-size:11.0pt;} --></style></head>
            <body lang="EN-AU" link="#0563C1">
            <div class="WordSection1">
            <p class="MsoNormal">Server room temperature is high<o:p></o:p></p>
            <p class="MsoNormal"><o:p>&nbsp;</o:p></p>
            <p class="MsoNormal">Please check the air conditioning<o:p></o:p></p>
            </div>
            </body>
            </html>
            """;

        var lines = BodyLines.Split(HtmlToPlainText.Convert(html));

        Assert.Equal(3, lines.Length);
        Assert.Equal("Server room temperature is high", lines[0]);
        Assert.True(BodyLines.IsBlank(lines[1]), $"'{lines[1]}' is not blank");
        Assert.Equal("Please check the air conditioning", lines[2]);
    }

    [Fact]
    public void Gmail_div_br_div_is_one_blank_line()
    {
        Assert.Equal("a\n\nb", HtmlToPlainText.Convert("""<div dir="ltr">a<div><br></div><div>b</div></div>"""));
    }

    [Fact]
    public void Gmail_div_per_line_with_line_breaks_between_tags_in_the_source()
    {
        const string html = "<div dir=\"ltr\">\r\n<div>First</div>\r\n<div><br></div>\r\n<div>Second</div>\r\n</div>\r\n";
        Assert.Equal("First\n\nSecond", HtmlToPlainText.Convert(html));
    }

    [Theory]
    [InlineData("one<br>two<br/>three<BR>four<br />five")]
    [InlineData("one <br> two<br>\nthree <BR/> four<br>five")]
    public void Br_ends_a_line(string html)
    {
        Assert.Equal("one\ntwo\nthree\nfour\nfive", HtmlToPlainText.Convert(html));
    }

    [Fact]
    public void Two_br_make_a_blank_line()
    {
        Assert.Equal("a\n\nb", HtmlToPlainText.Convert("a<br><br>b"));
    }

    [Fact]
    public void A_br_that_ends_a_block_adds_no_blank_line()
    {
        Assert.Equal("a\nb", HtmlToPlainText.Convert("<div>a<br></div><div>b</div>"));
    }

    [Fact]
    public void Entities_are_decoded()
    {
        var text = HtmlToPlainText.Convert("Tom &amp; Jerry &lt;3 it&#8217;s&nbsp;here &#x2019; &quot;q&quot; &gt;");
        Assert.Equal("Tom & Jerry <3 it\u2019s\u00A0here \u2019 \"q\" >", text);
    }

    [Fact]
    public void Style_script_and_head_say_nothing()
    {
        const string html = """
            <html><head><title>Alert title</title><style>p { color: red; }</style>
            <script>var x = "<p>hidden</p>";</script></head>
            <body><p>Visible</p><SCRIPT type="text/javascript">alert('no')</SCRIPT><noscript>no script</noscript><p>text</p></body></html>
            """;

        Assert.Equal("Visible\ntext", HtmlToPlainText.Convert(html));
    }

    [Fact]
    public void A_head_without_its_optional_end_tag_ends_at_body()
    {
        Assert.Equal("Hello", HtmlToPlainText.Convert("<html><head><meta charset=\"utf-8\"><title>T</title><body>Hello</body></html>"));
    }

    [Fact]
    public void White_space_collapses_as_a_browser_collapses_it()
    {
        Assert.Equal("lots of space here", HtmlToPlainText.Convert("  lots   of \r\n\r\n  space\there  "));
        Assert.Equal("bold italic", HtmlToPlainText.Convert("<b>bold</b>\n   <i>italic</i>"));
        Assert.Equal("ab", HtmlToPlainText.Convert("<span>a</span><span>b</span>"));
        Assert.Equal("leading", HtmlToPlainText.Convert("<p>   leading   </p>"));
    }

    [Fact]
    public void Pre_keeps_its_spaces_and_line_breaks()
    {
        Assert.Equal("  keep\n    this\nafter", HtmlToPlainText.Convert("<pre>  keep\n    this</pre>after"));
        Assert.Equal("line1\nline2", HtmlToPlainText.Convert("<pre>line1\r\nline2</pre>"));
    }

    [Fact]
    public void The_line_break_straight_after_pre_is_dropped_as_a_browser_drops_it()
    {
        Assert.Equal("first\n  second", HtmlToPlainText.Convert("<pre>\nfirst\n  second</pre>"));
    }

    [Fact]
    public void Table_cells_are_separated_and_rows_are_lines()
    {
        const string html = """
            <table border="1">
              <tr><th>Host</th><th>State</th></tr>
              <tr><td>web01</td><td>DOWN</td></tr>
              <tr><td>db01</td><td>UP</td></tr>
            </table>
            <p>after</p>
            """;

        Assert.Equal("Host State\nweb01 DOWN\ndb01 UP\nafter", HtmlToPlainText.Convert(html));
    }

    [Fact]
    public void List_items_are_lines()
    {
        Assert.Equal("Intro\none\ntwo\nx", HtmlToPlainText.Convert("<p>Intro</p><ul><li>one</li><li>two</li></ul><ol><li>x</li></ol>"));
    }

    [Fact]
    public void Headings_and_quotes_are_lines()
    {
        Assert.Equal("Title\nquoted\ntext", HtmlToPlainText.Convert("<h1>Title</h1><blockquote>quoted</blockquote>text"));
    }

    [Fact]
    public void Nested_divs_make_no_extra_blank_lines()
    {
        Assert.Equal("deep\nnext\nlast", HtmlToPlainText.Convert("<div><div><div>deep</div></div></div><div><div>next</div></div><div>last</div>"));
    }

    [Fact]
    public void Text_around_a_block_is_on_its_own_lines()
    {
        Assert.Equal("text\nblock\nmore", HtmlToPlainText.Convert("text<div>block</div>more"));
    }

    [Fact]
    public void Upper_case_tags_are_the_same_tags()
    {
        Assert.Equal("UP\nper\nx\ny", HtmlToPlainText.Convert("<DIV>UP</DIV><P>per</P><TABLE><TR><TD>x</TD></TR></TABLE>y<STYLE>z</STYLE>"));
    }

    [Fact]
    public void Comments_and_images_say_nothing()
    {
        Assert.Equal("xy text", HtmlToPlainText.Convert("x<!-- a comment -->y <img src=\"cid:logo\" alt=\"Logo\">text"));
    }

    [Fact]
    public void Empty_html_is_empty_text()
    {
        Assert.Equal(string.Empty, HtmlToPlainText.Convert(string.Empty));
        Assert.Equal(string.Empty, HtmlToPlainText.Convert("<html><head><title>x</title></head><body></body></html>"));
    }

    [Fact]
    public void A_signature_separator_keeps_its_space_so_the_signature_is_found()
    {
        var text = HtmlToPlainText.Convert("<div>Server down</div><div>-- <br>Bob, Ops</div>");
        Assert.Equal("Server down\n-- \nBob, Ops", text);
        Assert.Equal(["Server down"], BodyLines.WithoutSignature(BodyLines.Split(text)));
    }
}
