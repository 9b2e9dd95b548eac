"""Entry point of ``python -m analytics``: run one command, then end the process at once.

A command's work is done when ``main`` returns: its stores are closed, its output written. What is left is
the interpreter's teardown, freeing every module and object one by one (pandas, pyarrow, DuckDB, plotly,
weasyprint): 0.3-0.5 s of a command that takes a few seconds, paid after the answer. So the exit handlers
run (the chart browser's close, temporary folders, logging), the output is flushed, and the process ends
with the command's code without that teardown. A command that left a non-daemon thread running ends the
ordinary way, which waits for it.
"""
import atexit
import os
import sys
import threading

from analytics.cli.main import main

code = main()
if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
    sys.exit(code)
atexit._run_exitfuncs()  # what an ordinary exit runs: the browser's close, temporary folders, log handlers
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
