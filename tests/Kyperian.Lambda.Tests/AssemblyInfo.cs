// The runtime sets the process-wide _X_AMZN_TRACE_ID per invocation: apps under test must not run side by side.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
