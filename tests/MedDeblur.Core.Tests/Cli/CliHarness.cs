using System.CommandLine;
using MedDeblur.Cli.Commands;

namespace MedDeblur.Tests.Cli;

/// <summary>Runs <c>meddeblur</c> verbs in-process with captured stdout and stderr.</summary>
internal static class CliHarness
{
    private static readonly object Gate = new();

    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        lock (Gate)
        {
            var root = new RootCommand("test");
            foreach (var c in CommandCatalog.All()) root.Subcommands.Add(c);
            var (stdout, stderr) = (Console.Out, Console.Error);
            using var o = new StringWriter();
            using var e = new StringWriter();
            Console.SetOut(o);
            Console.SetError(e);
            try
            {
                var config = new InvocationConfiguration { Output = o, Error = e };
                int exit = root.Parse(args).Invoke(config);
                return (exit, o.ToString(), e.ToString());
            }
            finally
            {
                Console.SetOut(stdout);
                Console.SetError(stderr);
            }
        }
    }
}
