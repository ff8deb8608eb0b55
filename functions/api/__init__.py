"""The HTTP API function. The garbage collector is paused here for its cold start, which api/app.py
ends (marketing/cold_start.py)."""

from marketing import cold_start

cold_start.pause_collector()
