using MedDeblur.Configuration;
using MedDeblur.Notebooks;
using MedDeblur.Reproduction;

namespace MedDeblur.Tests.Reproduction;

/// <summary>
/// One smoke-preset reproduce run per test session (<see cref="Shared"/>), made on first use and shared by every test that
/// needs a finished run. It is made with the options the notebooks resolve for the smoke preset on the sample set (their
/// default data root), into the folder they look in (<see cref="NotebookRun.ReproduceFolder"/> of <see cref="Root"/>).
/// The tests that use it run LibTorch in this process, so they are in the assembly's serial default collection (AssemblyInfo.cs).
/// </summary>
public sealed class SmokeReproduceRun
{
    private static readonly Lazy<SmokeReproduceRun> shared = new(() =>
    {
        var run = new SmokeReproduceRun();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(run.Root, recursive: true); } catch (IOException) { } };
        return run;
    });

    private readonly List<ReproduceProgress> progress = [];

    /// <summary>The session's run (made by the first test that asks; its folder is deleted when the test process ends).</summary>
    public static SmokeReproduceRun Shared => shared.Value;

    private SmokeReproduceRun()
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
}
