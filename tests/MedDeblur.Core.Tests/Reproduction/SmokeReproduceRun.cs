using MedDeblur.Configuration;
using MedDeblur.Notebooks;
using MedDeblur.Reproduction;

namespace MedDeblur.Tests.Reproduction;

/// <summary>
/// One smoke-preset reproduce run per test session, shared by every test that needs a finished run (the pipeline's own
/// tests, the notebooks that show its tables). It is made with exactly the options the notebooks resolve for the smoke
/// preset on the sample set (their default data root), into the folder they look in (<see cref="NotebookRun.ReproduceFolder"/> of <see cref="Root"/>),
/// so the notebooks' reproduce cells reuse it instead of training and evaluating again.
/// </summary>
public sealed class SmokeReproduceRun : IDisposable
{
    private readonly List<ReproduceProgress> progress = [];

    /// <summary>Runs the pipeline once.</summary>
    public SmokeReproduceRun()
    {
        Root = Fixture.TempFolder();
        var run = NotebookRun.Load("smoke", "", Root);
        Options = run.Options;
        Folder = run.ReproduceFolder;
        // a previous run that stopped before MedDeblur's first checkpoint: its stale options must not block the rerun
        Directory.CreateDirectory(Path.Combine(Folder, "runs", "meddeblur"));
        File.WriteAllText(Path.Combine(Folder, "runs", "meddeblur", "options.json"),
            (Options with { Model = "meddeblur", Training = Options.Training with { Steps = 999 } }).ToJson());
        Result = ReproducePipeline.Run(Options, Folder, progress: progress.Add);
    }

    /// <summary>The notebooks' output folder (deleted at the end of the session).</summary>
    public string Root { get; }

    /// <summary>The reproduce run folder, <c>Root/reproduce-smoke</c>.</summary>
    public string Folder { get; }

    /// <summary>The options of the run.</summary>
    public RunOptions Options { get; }

    /// <summary>What the run returned.</summary>
    public ReproduceResult Result { get; }

    /// <summary>Every progress report of the run.</summary>
    public IReadOnlyList<ReproduceProgress> Progress => progress;

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>The tests that share <see cref="SmokeReproduceRun"/>.</summary>
[CollectionDefinition(Name)]
public sealed class SmokeReproduceCollection : ICollectionFixture<SmokeReproduceRun>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "smoke reproduce run";
}
