"""Schemathesis hooks for Openmoney Console's APIs.

An order create's Idempotency-Key names one intended order: the same key with another body
is refused (422 IDEMPOTENCY_KEY_REUSED), as the contract says. Generated keys repeat, so
every well-formed key is replaced with a fresh UUID; malformed ones are kept, so the
header's own validation is still exercised.
"""

import re
import uuid

import schemathesis

WELL_FORMED = re.compile(r"^[!-~]{1,255}$")


@schemathesis.hook
def map_headers(context, headers):
    if headers is not None:
        key = headers.get("Idempotency-Key")
        if isinstance(key, str) and WELL_FORMED.match(key):
            headers["Idempotency-Key"] = str(uuid.uuid4())
    return headers
