using MedDeblur.Display;
using MedDeblur.Runtime;

namespace MedDeblur.Reproduction;

/// <summary>Stage 3: Table 4, parameters, MACs and latency of every trained network on the run's device.</summary>
public static class ProfileStage
{
    /// <summary>Stage name (record <c>stages/profile.json</c>).</summary>
    public const string Name = "profile";

    /// <summary>Profiles (or reuses the profile of) the networks of the run.</summary>
    public static ResultsTable Run(StageContext context) =>
        StageRecords.RunOrReuse(context, Name, StageRecords.Hash(context.Options, "network", "reproduce", "device"), () =>
        {
            context.Report(Name, "parameters, MACs and latency");
            var table = ReproducePipeline.ModelAnalysisTable(context.Options, TrainStage.Models(context), TorchRuntime.ResolveDevice(context.Options.Device));
            table.Save(context.Folder.File("tables"), "table4_model_analysis");
            return (table, [Path.Combine(context.Folder.Root, "tables", "table4_model_analysis.csv")]);
        }, table => table.ToJson(), json => ResultsTable.FromJson(json!));
}
