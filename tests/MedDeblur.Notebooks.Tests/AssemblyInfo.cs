// The tests start kernel processes of their own and some count the kernels left in a folder: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
