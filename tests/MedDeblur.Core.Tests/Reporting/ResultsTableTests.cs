using MedDeblur.Display;
using MedDeblur.Reporting;

namespace MedDeblur.Tests.Reporting;

public class ResultsTableTests
{
    private static ResultsTable Sample()
    {
        var table = new ResultsTable("Table 2", ["Method", "PSNR", "Note"]);
        table.Add("Blurry input", 21.456, "a,b");
        table.Add("Identical", double.PositiveInfinity, "say \"hi\"");
        table.Notes.Add("PSNR: RGB, 8-bit");
        table.Emphasised.Add(1);
        return table;
    }

    [Fact]
    public void Markdown_has_header_alignment_rows_emphasis_and_notes()
    {
        var lines = Sample().ToMarkdown().Split('\n');
        Assert.Equal("### Table 2", lines[0]);
        Assert.Equal("| Method | PSNR | Note |", lines[2]);
        Assert.Equal("|---|---:|---|", lines[3]);
        Assert.Equal("| Blurry input | 21.46 | a,b |", lines[4]);
        Assert.Equal("| **Identical** | **inf** | **say \"hi\"** |", lines[5]);
        Assert.Equal("_PSNR: RGB, 8-bit_  ", lines[7]);
    }

    [Fact]
    public void Csv_quotes_commas_and_quotes()
    {
        Assert.Equal("Method,PSNR,Note\nBlurry input,21.46,\"a,b\"\nIdentical,inf,\"say \"\"hi\"\"\"\n", Sample().ToCsv());
    }

    [Fact]
    public void Save_writes_the_notes_beside_the_csv()
    {
        string folder = Fixture.TempFolder();
        try
        {
            Sample().Save(folder, "t2");
            Assert.Equal("Table 2\nPSNR: RGB, 8-bit\n", File.ReadAllText(Path.Combine(folder, "t2.notes.txt")));
            Assert.Equal(Sample().ToCsv(), File.ReadAllText(Path.Combine(folder, "t2.csv")));
            Assert.True(File.Exists(Path.Combine(folder, "t2.md")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Row_with_wrong_cell_count_names_the_table()
    {
        var e = Assert.Throws<ArgumentException>(() => new ResultsTable("T4", ["a", "b"]).Add(1));
        Assert.Contains("T4", e.Message);
    }
}

public class HtmlReportTests
{
    [Fact]
    public void Report_is_self_contained_with_contents_tables_and_escaped_text()
    {
        var table = new ResultsTable("T", ["a", "b"]);
        table.Add("x<y", 1.0);
        var report = new HtmlReport("Run <1>").Section("Tables").Paragraph("a & b").Table(table).Code("dotnet test");
        string html = report.ToHtml();
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<title>Run &lt;1&gt;</title>", html);
        Assert.Contains("<a href=\"#s1\">Tables</a>", html);
        Assert.Contains("a &amp; b", html);
        Assert.Contains("<td>x&lt;y</td><td>1.00</td>", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("http", html);
    }
}
