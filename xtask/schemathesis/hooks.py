"""Schemathesis hooks for Openmoney Console's APIs.

An order create's Idempotency-Key names one intended order: the same key with another body
is refused (422 IDEMPOTENCY_KEY_REUSED), as the contract says. Generated keys repeat, so
just before each call a well-formed key is replaced with a fresh UUID; a malformed one is
kept, so the header's own validation is still exercised.
"""

import re
import uuid

import schemathesis

WELL_FORMED = re.compile(r"^[!-~]{1,255}$")


@schemathesis.hook
def before_call(context, case, **kwargs):
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and WELL_FORMED.match(key):
        headers["Idempotency-Key"] = str(uuid.uuid4())
        case.headers = headers
