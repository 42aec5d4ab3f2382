using System.CommandLine;

namespace MedDeblur.Cli.Commands;

/// <summary>Every verb of the <c>meddeblur</c> command, one file each in this folder.</summary>
public static class CommandCatalog
{
    /// <summary>Creates the verbs in the order <c>--help</c> lists them.</summary>
    public static IEnumerable<Command> All() =>
    [
        ReproduceCommand.Create(),
        TrainCommand.Create(),
        EvaluateCommand.Create(),
        DownstreamCommand.Create(),
        DeblurCommand.Create(),
        SimulateCommand.Create(),
        MetricsCommand.Create(),
        InfoCommand.Create(),
        ProfileCommand.Create(),
        BenchCommand.Create(),
        CurvesCommand.Create(),
        WeightsCommand.Create(),
    ];
}
