// Kernel processes are counted per folder and each test's kernels use both cores' share of this process: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
