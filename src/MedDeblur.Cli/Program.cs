using System.CommandLine;
using MedDeblur.Cli.Commands;
using MedDeblur.Runtime;

// Keep big tensor buffers on the heap before anything allocates (environment/README.md).
MallocTuning.Apply();

var root = new RootCommand("MedDeblur.NET: medical image deblurring with residual dense spatial-asymmetric attention.");
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);
return await root.Parse(args).InvokeAsync();
