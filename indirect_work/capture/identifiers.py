"""The service request identifier rule shared by capture and the MHSDS extract.

An identifier that capture accepts but the MHS204 extract refuses would be stored and only fail
months later, when the extract is built; so both read the one rule here. Capture sits below
reports, so the rule lives in capture and the extract imports it.
"""

from __future__ import annotations

import re

from indirect_work.core.spreadsheets import RISKY_PREFIXES

#: An MHSDS an20 local identifier: 1 to 20 characters, no control characters.
LOCAL_ID = re.compile(r"^[^\x00-\x1f]{1,20}$")

LEADING_SYMBOL_MESSAGE = (
    "The service request identifier must start with a letter or a number "
    "(the MHSDS extract refuses one that starts with - + = or @)"
)


def is_extractable_local_id(value: str) -> bool:
    """Whether the MHS204 extract accepts ``value`` as an an20 local identifier."""
    return bool(LOCAL_ID.match(value)) and not value.startswith(RISKY_PREFIXES)
