"""A like-for-like reference for cold-start ratios: the bare handler loaded the way this platform's
functions load theirs, with the garbage collector paused for the cold start (marketing/cold_start.py).
Against it, a function's ratio is what the function's own code adds, without that gain."""

from marketing import cold_start

cold_start.pause_collector()

from bare_handler import lambda_handler  # noqa: E402, F401 - loaded with the collector paused

cold_start.finish()
