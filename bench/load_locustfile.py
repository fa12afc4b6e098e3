"""Month-end load scenario (locust): clinicians log their work, leads open dashboards, a commissioner
downloads the workbook.

Run it through ``bench/load_run.py``, which prepares the database, the accounts and gunicorn and
passes them in ``IW_LOAD_PLAN`` (a JSON file). Budgets (exit code 1 when missed): under 1% failed
requests overall, and the log POST's 95th percentile under ``IW_LOAD_P95_MS`` (500 ms).

The ``throughput`` profile (``IW_LOAD_PROFILE=throughput``) instead posts the log form back to back,
and ``bare`` posts to the bare Flask insert app, so the two can be compared in the same run.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets
from datetime import date
from typing import Any

from locust import HttpUser, between, constant, events, task

PLAN: dict[str, Any] = {}
if os.environ.get("IW_LOAD_PLAN"):
    with open(os.environ["IW_LOAD_PLAN"]) as _plan:
        PLAN = json.load(_plan)
PASSWORD = PLAN.get("password", "")
P95_BUDGET_MS = float(os.environ.get("IW_LOAD_P95_MS", "500"))
MAX_FAIL_RATIO = 0.01
PROFILE = os.environ.get("IW_LOAD_PROFILE", "month_end")
LOG_POST = "POST /log"

_clinicians = itertools.cycle(PLAN.get("clinicians", []))
_leads = itertools.cycle(PLAN.get("leads", []))


def _field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html) or re.search(
        rf'name="{name}" value="([^"]*)"', html
    )
    if match is None:
        raise ValueError(f"no {name} in the page")
    return match.group(1)


class SignedInUser(HttpUser):
    abstract = True
    account: dict[str, Any]

    def sign_in(self) -> None:
        page = self.client.get("/sign-in", name="GET /sign-in")
        self.client.post(
            "/sign-in",
            name="POST /sign-in",
            data={
                "email": self.account["email"],
                "password": PASSWORD,
                "csrf_token": _field(page.text, "csrf_token"),
            },
        )

    def log_activity(self) -> None:
        page = self.client.get("/log", name="GET /log")
        if page.status_code != 200:
            return
        self.post_log(
            _field(page.text, "csrf_token"),
            _field(page.text, "submission_token"),
            secrets.choice(["30", "45", "1h", "1h30", "2h"]),
        )

    def post_log(self, csrf: str, submission_token: str, duration: str) -> None:
        form = {
            "csrf_token": csrf,
            "submission_token": submission_token,
            "activity_type_id": str(PLAN["activity_type_id"]),
            "activity_on": date.today().isoformat(),
            "duration": duration,
            "team_id": str(self.account["team_id"]),
            "consultation_mechanism_code": "01",
            "recipient_type_ids": [str(PLAN["recipient_type_id"])],
            "people_reached": "3",
            "note": "",
        }
        with self.client.post(
            "/log", data=form, name=LOG_POST, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"log POST answered {response.status_code}")


class Clinician(SignedInUser):
    """Month end: log several pieces of work, glance at the list now and then."""

    weight = 90
    #: Filling in the form and getting back to work: a record every 20 to 60 seconds per clinician
    #: is the month-end rush (a normal day is a few records per clinician).
    wait_time = between(20, 60)

    def on_start(self) -> None:
        self.account = next(_clinicians)
        self.sign_in()

    @task(4)
    def log(self) -> None:
        self.log_activity()

    @task(1)
    def my_activities(self) -> None:
        self.client.get("/activities", name="GET /activities")


class TeamLead(SignedInUser):
    """Leads log their own work and check their team's dashboard."""

    weight = 9
    wait_time = between(20, 60)

    def on_start(self) -> None:
        self.account = next(_leads)
        self.sign_in()

    @task(2)
    def dashboard(self) -> None:
        self.client.get("/dashboard", name="GET /dashboard")

    @task(1)
    def log(self) -> None:
        self.log_activity()


class Commissioner(SignedInUser):
    """One commissioner downloads the month's workbook every half minute or so."""

    fixed_count = 1
    wait_time = between(20, 40)

    def on_start(self) -> None:
        self.account = PLAN["commissioner"]
        self.sign_in()

    @task
    def workbook(self) -> None:
        query = {"organisation": PLAN["organisation_id"], "month": PLAN["month"]}
        with self.client.get(
            "/commissioner-reports/workbook", name="GET workbook.xlsx", catch_response=True, params=query
        ) as response:
            if response.status_code != 200 or not response.content.startswith(b"PK"):
                response.failure(f"workbook answered {response.status_code}")


class LogBackToBack(SignedInUser):
    """Throughput profile: the log form posted with no pause."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.account = next(_clinicians)
        self.sign_in()
        page = self.client.get("/log", name="GET /log")
        self.csrf = _field(page.text, "csrf_token")
        self.signed_in_cookies = self.client.cookies.copy()

    @task
    def post(self) -> None:
        self.post_log(self.csrf, secrets.token_urlsafe(16), "45")
        # A browser follows the redirect, whose page shows and clears the success message. This
        # profile skips that page, so it drops the session cookie the POST returned: otherwise the
        # unread messages pile up in the cookie and every later POST carries and re-signs them.
        self.client.cookies = self.signed_in_cookies.copy()


class BareInsert(HttpUser):
    """Throughput profile: a bare Flask view inserting one row (the floor to compare against)."""

    wait_time = constant(0)

    @task
    def post(self) -> None:
        self.client.post("/insert", data={"note": "x"}, name="POST /insert")


PROFILES = {
    "month_end": (Clinician, TeamLead, Commissioner),
    "throughput": (LogBackToBack,),
    "bare": (BareInsert,),
}
for _user_class in (Clinician, TeamLead, Commissioner, LogBackToBack, BareInsert):
    _user_class.abstract = _user_class not in PROFILES[PROFILE]
del _user_class


@events.quitting.add_listener
def _enforce_budget(environment: Any, **_kwargs: Any) -> None:
    """Exit 1 above 1% failures, or when the log POST's 95th percentile is over budget."""
    stats = environment.stats
    problems = []
    if stats.total.num_requests == 0:
        problems.append("no requests were made")
    if stats.total.fail_ratio > MAX_FAIL_RATIO:
        problems.append(f"failure ratio {stats.total.fail_ratio:.2%} is over {MAX_FAIL_RATIO:.0%}")
    if PROFILE == "month_end":
        entry = stats.get(LOG_POST, "POST")
        p95 = entry.get_response_time_percentile(0.95) if entry.num_requests else None
        if p95 is None or p95 > P95_BUDGET_MS:
            problems.append(f"log POST p95 {p95} ms is over the {P95_BUDGET_MS:.0f} ms budget")
    for problem in problems:
        print(f"BUDGET MISSED: {problem}")
    if problems:
        environment.process_exit_code = 1
