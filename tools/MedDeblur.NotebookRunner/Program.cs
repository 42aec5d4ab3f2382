using MedDeblur.NotebookRunner;

return await RunnerCommandLine.InvokeAsync(args);
