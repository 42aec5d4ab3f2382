using System.CommandLine;
using System.Text.Json;
using MedDeblur.Cli.Commands;

namespace MedDeblur.Tests.Cli;

public class ProfileCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var root = new RootCommand { ProfileCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            int code = root.Parse(args).Invoke();
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    [Fact]
    public void Profile_json_has_the_documented_snake_case_fields()
    {
        var (code, output, error) = Run("profile", "--model", "meddeblur", "--preset", "smoke", "--size", "32",
            "--runs", "1", "--warmup", "0", "--device", "cpu", "--json");
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("meddeblur", root.GetProperty("model").GetString());
        Assert.Equal(32, root.GetProperty("size").GetInt32());
        Assert.Equal(32, root.GetProperty("padded_size").GetInt32());
        Assert.True(root.GetProperty("params").GetInt64() > 1000);
        double gmacs = root.GetProperty("gmacs").GetDouble(), gflops = root.GetProperty("gflops").GetDouble();
        Assert.True(gmacs > 0);
        Assert.Equal(2 * gmacs, gflops, 3);
        Assert.True(root.GetProperty("latency_ms").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("train_step_ms").ValueKind);
    }

    [Fact]
    public void Profile_text_lists_parameters_macs_flops_and_latency_for_several_models()
    {
        var (code, output, error) = Run("profile", "--model", "dncnn,temimagenet", "--preset", "smoke", "--size", "16",
            "--runs", "1", "--warmup", "0", "--train-batch", "2");
        Assert.True(code == 0, error);
        foreach (var expected in new[] { "dncnn (preset smoke)", "temimagenet (preset smoke)", "parameters", "MACs", "FLOPs", "latency", "training step" })
            Assert.Contains(expected, output);
    }

    [Fact]
    public void Profile_at_an_odd_size_reports_the_padded_size_in_json_and_text()
    {
        var (code, output, error) = Run("profile", "--model", "meddeblur", "--preset", "smoke", "--size", "37",
            "--runs", "0", "--device", "cpu", "--json");
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(37, doc.RootElement.GetProperty("size").GetInt32());
        Assert.Equal(48, doc.RootElement.GetProperty("padded_size").GetInt32());
        var (code2, text, error2) = Run("profile", "--model", "meddeblur", "--preset", "smoke", "--size", "37",
            "--runs", "0", "--device", "cpu");
        Assert.True(code2 == 0, error2);
        Assert.Contains("37x37 input (padded to 48x48", text);
    }

    [Fact]
    public void Unknown_model_fails_with_exit_code_1_and_the_known_names()
    {
        var (code, _, error) = Run("profile", "--model", "resnet", "--preset", "smoke");
        Assert.Equal(1, code);
        Assert.Contains("unknown network 'resnet'", error);
        Assert.Contains("meddeblur-sr", error);
    }

    [Fact]
    public void Model_all_expands_to_every_registered_network()
    {
        Assert.Equal(MedDeblur.Networks.NetworkRegistry.Names, ProfileCommand.ModelNames("all"));
        Assert.Equal(["srn", "dncnn"], ProfileCommand.ModelNames(" SRN , dncnn "));
    }
}
