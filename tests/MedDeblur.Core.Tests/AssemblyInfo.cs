// LibTorch has process-wide state (threads, default dtype, seeds, the oneDNN switch) and this machine has two cores:
// every test that runs in this process is in the assembly's one default collection, so they run one at a time and
// timings, memory statistics and seeds are not disturbed by a neighbour. The tests whose work runs in other processes
// (OtherProcessesCollection: the notebook kernels) run beside them on the second core.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly, MaxParallelThreads = 2)]
