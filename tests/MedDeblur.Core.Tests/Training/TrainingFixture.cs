using MedDeblur.Configuration;
using MedDeblur.Data;

namespace MedDeblur.Tests.Training;

/// <summary>Smoke-preset run options on the embedded sample set, with overrides.</summary>
internal static class TrainingFixture
{
    public static RunOptions Smoke(int steps = 4, int validateEvery = 0, int checkpointEvery = 100, string model = "meddeblur", double? learningRate = null)
    {
        var o = Presets.Load("smoke");
        return o with
        {
            Model = model,
            Device = "cpu",
            Data = o.Data with { Root = SampleData.Root },
            Training = o.Training with
            {
                Steps = steps, ValidateEvery = validateEvery, CheckpointEvery = checkpointEvery, LogEvery = 1,
                LearningRate = learningRate ?? o.Training.LearningRate,
            },
        };
    }
}
