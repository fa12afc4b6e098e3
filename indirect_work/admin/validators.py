"""Format checks for the identifiers admins type: SNOMED CT concept ids, ODS codes, local codes."""

from __future__ import annotations

import re

# Verhoeff tables (dihedral group D5), as used for the SNOMED CT identifier check digit.
_MULTIPLY = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_PERMUTE = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)

#: Partition identifiers of concepts: "00" (short format, core) and "10" (long format, extension).
CONCEPT_PARTITIONS = ("00", "10")
_ODS_PROVIDER = re.compile(r"^[A-Z0-9]{3,6}$")
_ODS_COMMISSIONER = re.compile(r"^[A-Z0-9]{3,5}$")
_LOCAL_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_]{1,39}$")
_TEAM_LOCAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-./]{0,19}$")


def verhoeff_valid(digits: str) -> bool:
    """True when the last digit of ``digits`` is the Verhoeff check digit of the rest."""
    check = 0
    for position, char in enumerate(reversed(digits)):
        check = _MULTIPLY[check][_PERMUTE[position % 8][int(char)]]
    return check == 0


def snomed_concept_problems(value: str) -> list[str]:
    """Why ``value`` is not a well-formed SNOMED CT concept id (empty when it is)."""
    if not value.isdigit() or not value.isascii():
        return ["SNOMED CT concept id must contain digits only"]
    if not 6 <= len(value) <= 18:
        return ["SNOMED CT concept id must be 6 to 18 digits long"]
    if value.startswith("0"):
        return ["SNOMED CT concept id must not start with 0"]
    if value[-3:-1] not in CONCEPT_PARTITIONS:
        return ["This is not a concept id: its partition (the 2nd and 3rd last digits) must be 00 or 10"]
    if not verhoeff_valid(value):
        return ["SNOMED CT concept id check digit is wrong: check it was copied correctly"]
    return []


def normalise_code(value: str | None) -> str:
    """Upper-case, trimmed code (ODS codes, taxonomy codes)."""
    return (value or "").strip().upper()


def ods_code_problems(value: str, *, commissioner: bool = False) -> list[str]:
    if commissioner:
        if not _ODS_COMMISSIONER.match(value):
            return ["Commissioner ODS code must be 3 to 5 letters or digits, for example 15N"]
        return []
    if not _ODS_PROVIDER.match(value):
        return ["ODS code must be 3 to 6 letters or digits, for example RDM"]
    return []


def local_code_problems(value: str) -> list[str]:
    if not _LOCAL_CODE.match(value):
        return [
            "Code must be 2 to 40 capital letters, digits or underscores, starting with a letter or digit"
        ]
    return []


def team_local_id_problems(value: str) -> list[str]:
    if not _TEAM_LOCAL_ID.match(value):
        return ["Team identifier must be 1 to 20 letters, digits or - _ . /, starting with a letter or digit"]
    return []
