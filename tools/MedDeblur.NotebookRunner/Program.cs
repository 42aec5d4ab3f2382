using MedDeblur.NotebookRunner;
using MedDeblur.Runtime;

// Keep big tensor buffers on the heap before anything allocates (environment/README.md).
MallocTuning.Apply();
return await RunnerCommandLine.InvokeAsync(args);
