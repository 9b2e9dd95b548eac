"""Entry point of ``python -m analytics``: run one command, then end the process at once.

A command that draws charts (``report monthly``) starts the chart browser first, before the imports: Chromium
with kaleido's page takes about 2.7 s to be ready, the longest step of the report, so it starts while Python
imports and assembles the figures. A report that the running dashboard makes instead, or a command refused
before its figures, waits for it to be ready and closes it (about 3 s more for such a refusal).

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

if sys.argv[1:3] == ["report", "monthly"] and not {"-h", "--help"} & set(sys.argv):
    from analytics.kernel.renderer import start_chart_browser

    start_chart_browser()

from analytics.cli.main import main  # noqa: E402 - after the browser's start, on purpose

code = main()
if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
    sys.exit(code)
if "analytics.kernel.renderer" in sys.modules:  # the browser first: its profile is in a temporary folder
    sys.modules["analytics.kernel.renderer"].close_all()
atexit._run_exitfuncs()  # what an ordinary exit runs: temporary folders, log handlers
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
