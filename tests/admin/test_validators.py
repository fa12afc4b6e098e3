"""Identifier format checks: SNOMED CT concept ids (Verhoeff, partition) and ODS codes."""

from __future__ import annotations

import pytest

from indirect_work.admin.validators import ods_code_problems, snomed_concept_problems, verhoeff_valid


@pytest.mark.parametrize("concept_id", ["22298006", "73211009", "404684003", "999000011000000103"])
def test_real_concept_ids_pass(concept_id):
    assert snomed_concept_problems(concept_id) == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("22298007", "check digit"),  # one digit changed
        ("22928006", "check digit"),  # two digits swapped
        ("2229800", "partition"),  # too short to be valid and partition is 80
        ("12345", "6 to 18"),
        ("1234567890123456789", "6 to 18"),
        ("0222980006", "start with 0"),
        ("22298o06", "digits only"),
        ("２２２９８００６", "digits only"),  # full-width digits are not ASCII
        ("106014", "partition"),  # partition 01 is a description id, not a concept
        ("1000001000000117", "partition"),  # partition 11 = description (long format)
    ],
)
def test_malformed_concept_ids_are_refused_with_reason(value, reason):
    problems = snomed_concept_problems(value)
    assert problems and reason in problems[0]


def test_verhoeff_detects_every_single_digit_change():
    base = "404684003"
    assert verhoeff_valid(base)
    for position in range(len(base)):
        for digit in "0123456789":
            if digit != base[position]:
                assert not verhoeff_valid(base[:position] + digit + base[position + 1 :])


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("RDM", True),
        ("R1A", True),
        ("RDM01X", True),
        ("RD", False),
        ("RDM0123", False),
        ("rdm", False),
        ("R-M", False),
    ],
)
def test_ods_provider_code_format(code, ok):
    assert (ods_code_problems(code) == []) is ok
