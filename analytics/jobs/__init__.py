"""Background work of the server process: the workers started with it and the scheduled jobs they run."""
