using System.CommandLine;
using MedDeblur.Training;
using Spectre.Console;

namespace MedDeblur.Cli.Commands;

/// <summary><c>meddeblur train</c>: trains one network with a preset; Ctrl+C saves a checkpoint; <c>--resume</c> continues.</summary>
public static class TrainCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "network to train (see 'meddeblur profile --help' for the names)", DefaultValueFactory = _ => "meddeblur" };
        var preset = CommonOptions.Preset();
        var data = CommonOptions.Data();
        var output = new Option<string?>("--output", "-o") { Description = "run folder (default: runs/<model>-<preset>-<time>)" }.FolderOnly();
        var steps = new Option<int?>("--steps") { Description = "override the preset's number of steps" };
        var batch = new Option<int?>("--batch-size") { Description = "override the preset's batch size" };
        var resume = new Option<string?>("--resume") { Description = "continue the run in this folder from its latest checkpoint" };
        var init = new Option<string?>("--init")
        {
            Description = "fine-tune: start from these weights (a .ckpt, weights/NETWORK-PRESET.ckpt or a PyTorch .pth of the same network) instead of a fresh network",
        };
        var device = CommonOptions.Device();
        var command = new Command("train", "Train a network on sharp images blurred on the fly (Algorithm 1); writes a run folder with options, log, checkpoints.")
        {
            model, preset, data, output, steps, batch, resume, init, device,
        };
        command.SetAction(parse => CliRunner.Run(() =>
        {
            Trainer trainer;
            if (parse.GetValue(resume) is { } runFolder)
            {
                // a resumed run continues with its stored options (options.json): other options would silently be ignored
                var given = new Option[] { model, preset, data, output, steps, batch, init }.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToArray();
                if (given.Length > 0)
                    throw new MedDeblurException($"--resume continues the run with the options stored in {Path.Combine(runFolder, "options.json")}; " +
                                                 $"{string.Join(", ", given)} cannot be combined with it (start a new run with --output to change them)");
                trainer = Trainer.Resume(runFolder);
                foreach (var note in trainer.Notes) Console.Error.WriteLine($"note: {note}");
            }
            else
            {
                var options = RunFolder.ReadOptions(parse.GetValue(preset)!, new RunOverrides
                {
                    Model = parse.GetValue(model), Device = parse.GetValue(device), DataRoot = parse.GetValue(data),
                    Steps = parse.GetValue(steps), BatchSize = parse.GetValue(batch),
                });
                string folder = parse.GetValue(output) ?? Path.Combine("runs", $"{options.Model}-{options.Name}-{DateTime.Now:yyyyMMdd-HHmmss}");
                trainer = Trainer.Start(options, folder, parse.GetValue(init));
                foreach (var note in trainer.Notes) Console.Error.WriteLine($"note: {note}");
            }
            using (trainer)
            using (var signals = new SignalCancellation("saving a checkpoint after this step ..."))
            {
                Console.Error.WriteLine($"training {trainer.Options.Model} ({trainer.Network.ParameterCount:N0} parameters) in {trainer.Folder.Root} from step {trainer.Step}");
                var result = TrainingProgressDisplay.Run(trainer, signals.Token);
                Console.WriteLine(result.Cancelled
                    ? $"interrupted at step {result.Step}: checkpoint {result.LastCheckpoint}; continue with: meddeblur train --resume {result.RunFolder}"
                    : $"done: {result.Step} steps, {result.MillisecondsPerStep:0} ms/step; last {result.LastCheckpoint}; best {result.BestCheckpoint ?? "(no validation images)"}");
                foreach (var v in result.Validations.TakeLast(1))
                    Console.WriteLine($"validation at step {v.Step}: PSNR {v.Psnr:0.00} dB, SSIM {v.Ssim:0.0000}, DeltaE {v.DeltaE:0.00} ({v.Images} images)");
                return result.Cancelled ? signals.ExitCode : 0;
            }
        }));
        return command;
    }
}

/// <summary>Runs a trainer with a progress bar (step, loss, images/s, ETA).</summary>
public static class TrainingProgressDisplay
{
    /// <summary>Trains to the end or until <paramref name="cancellation"/> fires (then a checkpoint is saved).</summary>
    public static TrainingResult Run(Trainer trainer, CancellationToken cancellation)
    {
        int total = trainer.Options.Training.Steps;
        if (Console.IsErrorRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            return trainer.Run(cancellation, new SynchronousProgress<TrainingProgress>(p =>
            {
                if (p.Step % trainer.Options.Training.LogEvery == 0 || p.Validation is not null)
                    Console.Error.WriteLine(p.Describe());
            }));
        }
        TrainingResult result = null!;
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(trainer.Options.Model, maxValue: total);
                task.Value = trainer.Step;
                result = trainer.Run(cancellation, new SynchronousProgress<TrainingProgress>(p =>
                {
                    task.Value = p.Step;
                    task.Description = Markup.Escape(p.Describe());
                }));
            });
        return result;
    }
}
