"""The scheduled functions. The garbage collector is paused here for the cold start of each, which
its module ends (marketing/cold_start.py)."""

from marketing import cold_start

cold_start.pause_collector()
