"""The SQS workers, one module per queue.

This package is imported before any worker module, so Powertools' batch utility is loaded here,
before pydantic: finding pydantic already loaded, it would also build pydantic models of every
event source's records, which these workers never use (about 40 ms of each cold start; decision 48).
"""

import aws_lambda_powertools.utilities.batch  # noqa: F401 - loaded first on purpose, see above
