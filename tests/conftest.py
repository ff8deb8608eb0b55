"""Settings every test shares: fake AWS credentials in one region, so nothing can reach AWS,
and the environment the functions read at cold start."""

from __future__ import annotations

import os

FUNCTION_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_REGION": "eu-west-2",
    "AWS_DEFAULT_REGION": "eu-west-2",
    "TOKEN_SECRET_NAME": "test/token-signing-key",
    "GIFT_CARD_SECRET_NAME": "test/gift-card-code-key",
    "PUBLIC_BASE_URL": "https://marketing.test/api/v1/marketing",
    "POWERTOOLS_SERVICE_NAME": "api",
    "SES_MAX_SEND_RATE": "1000",
    "POWERTOOLS_METRICS_NAMESPACE": "Marketing",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
}
os.environ.update(FUNCTION_ENVIRONMENT)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)
