"""The duration parser: every documented form, and readable refusals."""

import pytest

from indirect_work.capture.duration import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90", 90),
        ("45m", 45),
        ("45 min", 45),
        ("90 mins", 90),
        ("1:30", 90),
        ("0:05", 5),
        ("1h30", 90),
        ("1h 30m", 90),
        ("1h30m", 90),
        ("2h", 120),
        ("2 hours", 120),
        ("1.5h", 90),
        ("1,5h", 90),
        ("1.25h", 75),
        ("2 hours 15 minutes", 135),
        ("  45  ", 45),
        ("1H30", 90),
        ("24h", 1440),
    ],
)
def test_parse_duration_accepts_the_documented_forms(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("", "Enter the duration"),
        ("abc", "minutes or hours"),
        ("1.5", "A number on its own is minutes"),
        ("1:75", "minutes from 00 to 59"),
        ("1h30x", "minutes or hours"),
        ("h", "minutes or hours"),
        ("-30", "minutes or hours"),
        ("9" * 40, "short form"),
    ],
)
def test_parse_duration_refuses_with_a_readable_message(text, hint):
    with pytest.raises(ValueError, match=hint):
        parse_duration(text)


def test_format_duration_reads_back_through_the_parser():
    for minutes in (1, 45, 60, 90, 1440):
        assert parse_duration(format_duration(minutes)) == minutes
