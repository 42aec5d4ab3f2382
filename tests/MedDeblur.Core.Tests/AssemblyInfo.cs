// LibTorch has process-wide state (threads, default dtype, seeds) and this machine has two cores: run tests one at
// a time so timings, memory statistics and seeds are not disturbed by a neighbour.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
