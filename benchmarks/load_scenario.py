"""The locust scenario of benchmarks/load.py: citizens, officers and leaders at once.

Locust imports this file (it is not a module of the app and does not import Django); what the
users need to know (tracking codes, session cookies, map views, the reports each officer may
acknowledge) comes from the plan benchmarks/load.py writes, named by GEOAPP_LOAD_PLAN.

Every simulated person comes from an address of their own, as a reverse proxy would say in
X-Forwarded-For (the server trusts one proxy), so the rate limits count them one by one as they
count real people. Think times are those of people, not of scripts: a citizen looks at a page
for 3 to 10 seconds, an officer works on a report for 5 to 15.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import uuid
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["GEOAPP_LOAD_PLAN"]).read_text())
_addresses = itertools.count(1)
_officer_numbers = itertools.count()
CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def _own_address() -> str:
    number = next(_addresses)
    return f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"


class Citizen(FastHttpUser):
    """Looks at the map and the latest answers, follows a report, now and then files one."""

    weight = 12
    wait_time = between(3, 10)

    def on_start(self) -> None:
        self.headers = {"X-Forwarded-For": _own_address(), "Accept-Language": "vi"}

    @task(4)
    def home_page(self) -> None:
        self.client.get("/", headers=self.headers, name="citizen: home page")

    @task(6)
    def map_view(self) -> None:
        view = random.choice(PLAN["map_views"])
        west, south, east, north = view["bbox"]
        self.client.get(
            f"/api/v1/incident-map/?bbox={west},{south},{east},{north}&zoom={view['zoom']}",
            headers=self.headers,
            name=f"citizen: map at zoom {view['zoom']}",
        )

    @task(3)
    def tracking_page(self) -> None:
        code = random.choice(PLAN["public_codes"])
        self.client.get(f"/phan-anh/{code}/", headers=self.headers, name="citizen: tracking page")

    @task(1)
    def file_report(self) -> None:
        filing = random.choice(PLAN["filings"])
        self.client.post(
            "/api/v1/incidents/",
            json=filing,
            headers={**self.headers, "Idempotency-Key": str(uuid.uuid4())},
            name="citizen: file a report",
        )


class Officer(FastHttpUser):
    """Works the unit's queue: opens the reports most urgent first and acknowledges new ones."""

    weight = 3
    wait_time = between(5, 15)

    def on_start(self) -> None:
        officer = PLAN["officers"][next(_officer_numbers) % len(PLAN["officers"])]
        self.headers = {"X-Forwarded-For": _own_address(), "Cookie": officer["cookie"]}
        # Each simulated officer acknowledges reports no other simulated officer touches.
        self.to_acknowledge: list[str] = officer["to_acknowledge"]
        self.codes: list[str] = officer["codes"]

    @task(5)
    def queue(self) -> None:
        self.client.get("/can-bo/phan-anh/", headers=self.headers, name="officer: queue")

    @task(3)
    def report_page(self) -> None:
        code = random.choice(self.codes)
        self.client.get(
            f"/can-bo/phan-anh/{code}/", headers=self.headers, name="officer: report page"
        )

    @task(2)
    def acknowledge(self) -> None:
        if not self.to_acknowledge:
            return
        code = self.to_acknowledge.pop()
        page = self.client.get(
            f"/can-bo/phan-anh/{code}/", headers=self.headers, name="officer: report page"
        )
        token = CSRF_TOKEN.search(page.content or b"")
        set_cookie = str(page.headers.get("Set-Cookie") or "") if page.headers else ""
        cookie_value = re.search(r"csrftoken=([^;]+)", set_cookie)
        if token is None or cookie_value is None:
            return
        self.client.post(
            f"/can-bo/phan-anh/{code}/tiep-nhan/",
            data={"csrfmiddlewaretoken": token.group(1).decode(), "note": ""},
            headers={
                **self.headers,
                "Cookie": f"{self.headers['Cookie']}; csrftoken={cookie_value.group(1)}",
                "Referer": f"{self.host}/can-bo/phan-anh/{code}/",
            },
            name="officer: acknowledge",
        )


class Leader(FastHttpUser):
    """Reads: every report of the province by deadline, the overdue ones, the map of open ones."""

    weight = 1
    wait_time = between(5, 15)

    def on_start(self) -> None:
        self.headers = {"X-Forwarded-For": _own_address(), "Cookie": PLAN["leader_cookie"]}

    @task(2)
    def all_reports(self) -> None:
        self.client.get(
            "/can-bo/phan-anh/?status=all", headers=self.headers, name="leader: every report"
        )

    @task(1)
    def overdue(self) -> None:
        self.client.get(
            "/can-bo/phan-anh/?overdue=on&sort=newest", headers=self.headers, name="leader: overdue"
        )

    @task(2)
    def open_reports_map(self) -> None:
        west, south, east, north = PLAN["city_bbox"]
        self.client.get(
            f"/can-bo/ban-do/phan-anh/?bbox={west},{south},{east},{north}",
            headers=self.headers,
            name="leader: map of open reports",
        )
