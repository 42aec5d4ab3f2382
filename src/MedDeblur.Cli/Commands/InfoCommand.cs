using System.CommandLine;
using System.Text.Json;
using MedDeblur.Runtime;

namespace MedDeblur.Cli.Commands;

/// <summary><c>meddeblur info</c>: versions, backend, device and threads.</summary>
public static class InfoCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create()
    {
        var device = CommonOptions.Device();
        var json = CommonOptions.Json();
        var command = new Command("info", "Print MedDeblur, TorchSharp and LibTorch versions, the backend, device and threads.")
        {
            device, json,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            var info = TorchRuntime.Describe(parse.GetValue(device)!);
            Console.WriteLine(parse.GetValue(json) ? JsonSerializer.Serialize(info, JsonDefaults.Options) : info.ToString());
        }));
        return command;
    }
}
