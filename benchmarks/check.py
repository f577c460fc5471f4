"""How long the daily check takes: on the demo, and on a synthetic caseload of N cases
(default 100,000) written straight into the tables. Prints its figures; run with
`make bench-check` or `python benchmarks/check.py [N]`.

The check runs twice per database: once through the services alone (the SQL and the
Python that acts on what it finds), once as the Prefect flow (adds task runs; the flow's
temporary API server is started by a warm-up run first and not counted)."""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")

from sqlalchemy import insert  # noqa: E402

from clms import demo  # noqa: E402
from clms.adapters.db.tables import CaseRow, FollowUpRow, ProviderRow, ReferralRow, StaffRow  # noqa: E402
from clms.bootstrap import App, bootstrap  # noqa: E402
from clms.domain.reminders import RUN_ORDER  # noqa: E402
from clms.services import check  # noqa: E402
from clms.settings import Settings  # noqa: E402

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
STATES = (
    ["identified"] * 20
    + ["assessed"] * 10
    + ["referred"] * 15
    + ["in_service"] * 40
    + ["closed"] * 15
)


def fresh_app(clock: datetime) -> App:
    app = bootstrap(
        Settings(database_url=f"sqlite:///{tempfile.mkdtemp()}/bench.db"), clock=lambda: clock
    )
    app.migrate()
    return app


def run_services(app: App, now: datetime) -> dict[str, int]:
    found: dict[str, int] = {}
    for rule in RUN_ORDER:
        for chunk in check.candidate_chunks(
            rule, now, None, app.uow(), app.settings.check_chunk_size
        ):
            result = check.act_on_chunk(rule, chunk, now, app.uow(), app.rules, app.links())
            found[rule.value] = found.get(rule.value, 0) + sum(result.found.values())
    return found


def run_flow(app: App, now: datetime) -> dict[str, Any]:
    from clms.bootstrap import use_app
    from clms.workflows.check import satisfactory_alternative_check

    use_app(app)
    return satisfactory_alternative_check(now=now)


def timed(label: str, action: Any) -> Any:
    start = time.perf_counter()
    result = action()
    print(f"  {label:<44} {time.perf_counter() - start:8.2f} s")
    return result


def synthetic(app: App, count: int, rng: random.Random) -> None:
    """Cases in every state, due dates spread over the last and the next 60 days."""
    districts = list(app.rules.districts.values())
    with app.engine.begin() as connection:
        connection.execute(insert(ProviderRow), [{"code": "SCH", "name": "School", "district": districts[0].code,
                                                  "phone": "", "email": "s@example.kz", "webhook_url": "", "language": "ru"}])  # fmt: skip
        connection.execute(insert(StaffRow), [{"name": f"SW {d.code}", "role": "social_worker", "area": d.code,
                                               "phone": "+7700", "email": "", "language": "ru"} for d in districts])  # fmt: skip
        for start in range(0, count, 10_000):
            rows = [_case(n, rng, districts) for n in range(start, min(start + 10_000, count))]
            connection.execute(insert(CaseRow), rows)
            connection.execute(
                insert(ReferralRow),
                [_referral(r, rng) for r in rows if r["state"] in ("referred", "in_service")],
            )
            connection.execute(
                insert(FollowUpRow),
                [f for r in rows if r["state"] == "in_service" for f in _follow_ups(r)],
            )


def _case(n: int, rng: random.Random, districts: list[Any]) -> dict[str, Any]:
    district = rng.choice(districts)
    state = rng.choice(STATES)
    due = NOW + timedelta(days=rng.randint(-60, 60))
    return {
        "id": n + 1, "number": f"KZ-{n + 1:07d}", "country": "kz", "district": district.code,
        "region": district.region, "first_name": "Aigerim", "last_name": f"S{n}", "first_key": "aigerim",
        "last_key": f"s{n}", "birth_date": date(2009 + n % 9, 1 + n % 12, 1 + n % 28), "sex": "f",
        "category": "hazardous", "priority": "urgent" if n % 50 == 0 else "normal", "state": state,
        "state_entered_at": due - timedelta(days=7), "alternative_status": "pending",
        "next_action_due": None if state == "closed" else due, "opened_at": due - timedelta(days=30),
        "updated_at": due - timedelta(days=7), "version": 1, "assessment": "", "relapses": 0,
        "failed_contacts": 0, "service_started_on": (due - timedelta(days=30)).date() if state == "in_service" else None,
    }  # fmt: skip


def _referral(case: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    started = case["state"] == "in_service"
    return {"case_id": case["id"], "provider_code": "SCH", "service_type": "school",
            "state": "started" if started else "sent", "proposed_at": case["opened_at"],
            "due_at": case["next_action_due"], "override_reason": "", "answer_note": "",
            "started_on": case["service_started_on"]}  # fmt: skip


def _follow_ups(case: dict[str, Any]) -> list[dict[str, Any]]:
    start = case["service_started_on"]
    return [{"case_id": case["id"], "due_on": start + timedelta(days=d), "state": "scheduled",
             "note": "", "evidence": ""} for d in (30, 90, 180)]  # fmt: skip


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print("the daily check, seconds (one run each; these machines are noisy)")
    warm = fresh_app(NOW)
    timed("flow warm-up (temporary Prefect server)", lambda: run_flow(warm, NOW))

    demo_app = fresh_app(NOW)
    demo.load(demo_app, cases=300)
    print("demo: 300 children")
    timed("services", lambda: run_services(demo_app, NOW))
    timed("flow, same day again (nothing new)", lambda: run_flow(demo_app, NOW))
    timed("flow, next day", lambda: run_flow(demo_app, NOW + timedelta(days=1)))

    big = fresh_app(NOW)
    timed(f"writing {count:,} synthetic cases", lambda: synthetic(big, count, random.Random(1)))
    found = timed("services, first run", lambda: run_services(big, NOW))
    print(f"  found {sum(found.values()):,} cases needing action: {found}")
    timed("flow, same day again (nothing new)", lambda: run_flow(big, NOW))
    summary = timed("flow, next day", lambda: run_flow(big, NOW + timedelta(days=1)))
    print(f"  next day: {summary['reminders']:,} new reminders")


if __name__ == "__main__":
    main()
