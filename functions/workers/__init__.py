"""The SQS workers, one module per queue.

This package is imported before any worker module: the garbage collector is paused here for the
cold start (marketing/cold_start.py; each worker module ends it), and Powertools' batch utility
is loaded here, before pydantic: finding pydantic already loaded, it would also build pydantic
models of every event source's records, which these workers never use (about 40 ms of each cold
start; decision 48).
"""

from marketing import cold_start

cold_start.pause_collector()

import aws_lambda_powertools.utilities.batch  # noqa: E402, F401 - loaded first on purpose, see above
