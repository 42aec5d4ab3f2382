using Spectre.Console;

namespace MedDeblur.Cli;

/// <summary>A Spectre.Console progress bar around a batch job; plain lines when the output is not a terminal.</summary>
public static class ConsoleProgress
{
    /// <summary>Runs <paramref name="work"/>, which calls the report callback once per finished item.</summary>
    public static T Run<T>(string description, int total, Func<Action<string>, T> work)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            int done = 0;
            return work(item => Console.Error.WriteLine($"[{++done}/{total}] {item}"));
        }
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(description), maxValue: Math.Max(1, total));
                result = work(item =>
                {
                    task.Description = Markup.Escape(item.Length > 50 ? "…" + item[^49..] : item);
                    task.Increment(1);
                });
            });
        return result;
    }
}
