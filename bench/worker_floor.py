"""A reference for cold-start ratios: what every SQS worker of this platform must load before any
of its own code, loaded as they load it (collector paused, the batch utility first): Powertools'
logger, metrics, tracer and batch utility, one pydantic model (the message) and one PynamoDB model
(a table). Against the paused bare handler it is the floor of a worker's ratio; the distance from
it to a worker's ratio is what the platform's own modules add."""

from marketing import cold_start

cold_start.pause_collector()

import aws_lambda_powertools.utilities.batch  # noqa: E402, F401 - first, as in functions/workers
from aws_lambda_powertools import Logger, Metrics, Tracer  # noqa: E402
from pydantic import BaseModel, ConfigDict, Field  # noqa: E402
from pynamodb.attributes import UnicodeAttribute  # noqa: E402
from pynamodb.models import Model  # noqa: E402

logger = Logger()
metrics = Metrics()
tracer = Tracer()


class Message(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str = Field(max_length=64)


class Item(Model):
    class Meta:
        table_name = "bench"
        region = "eu-west-2"

    id = UnicodeAttribute(hash_key=True)


cold_start.finish()
