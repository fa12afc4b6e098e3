"""Fixtures of the capture tests: a team, a clinician in it, and a client signed in as them."""

import pytest


@pytest.fixture
def team(make):
    return make.team(local_id="CMHT-N", name="North CMHT")


@pytest.fixture
def clinician(make, team):
    return make.clinician(team)


@pytest.fixture
def signed_in(client, login, clinician):
    login(clinician)
    return client
