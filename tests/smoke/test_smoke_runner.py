"""The paired runner: both sides per case, the concurrency bound, lazy case pulling, early stops and
cancellation."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import BASELINE_ENV, BASELINE_KEY, CANDIDATE_ENV, CANDIDATE_KEY
from server import FakeProvider, Reply

from migrate_cli.smoke.calls import CallSettings
from migrate_cli.smoke.records import Case, Endpoint, SideResult
from migrate_cli.smoke.runner import CaseAnswers, RunOutcome, RunSettings, run_cases


def make_cases(count: int, pulled: list[int] | None = None) -> Iterator[Case]:
    for index in range(count):
        if pulled is not None:
            pulled.append(index)
        yield Case(str(index), index + 1, ({"role": "user", "content": f"question {index}"},), "gpt-4o-mini")


class Recorder:
    def __init__(self) -> None:
        self.sides: list[tuple[str, str]] = []
        self.cases: list[tuple[str, SideResult, SideResult]] = []

    def side_done(self, case: Case, result: SideResult) -> SideResult:
        self.sides.append((case.id, result.side))
        return result

    def case_done(self, case: Case, answers: CaseAnswers) -> None:
        # Both responses were handed to side_done before the case is complete.
        assert (case.id, "baseline") in self.sides and (case.id, "candidate") in self.sides
        self.cases.append((case.id, answers.baseline[0], answers.candidate[0]))


async def run(
    baseline: FakeProvider,
    candidate: FakeProvider,
    cases: Any,
    recorder: Recorder,
    concurrency: int = 4,
    stream: bool = False,
) -> RunOutcome:
    return await run_cases(
        cases,
        endpoints={
            "baseline": Endpoint("baseline", baseline.url, BASELINE_ENV),
            "candidate": Endpoint("candidate", candidate.url, CANDIDATE_ENV),
        },
        candidate_model=lambda case: "mira",
        settings=RunSettings(concurrency=concurrency, calls=CallSettings(timeout=10, max_retries=0, stream=stream)),
        side_done=recorder.side_done,
        case_done=recorder.case_done,
    )


@pytest.fixture
def pair(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeProvider, FakeProvider]]:
    monkeypatch.setenv(BASELINE_ENV, BASELINE_KEY)
    monkeypatch.setenv(CANDIDATE_ENV, CANDIDATE_KEY)
    with (
        FakeProvider(api_key=BASELINE_KEY, default=Reply("A")) as b,
        FakeProvider(api_key=CANDIDATE_KEY, default=Reply("B")) as c,
    ):
        yield b, c


def test_every_case_goes_to_both_sides_with_its_model(pair: tuple[FakeProvider, FakeProvider]) -> None:
    baseline, candidate = pair
    recorder = Recorder()
    outcome = asyncio.run(run(baseline, candidate, make_cases(10), recorder))
    assert (outcome.started, outcome.finished, outcome.interrupted, outcome.stop) == (10, 10, False, None)
    assert sorted(case_id for case_id, _, _ in recorder.cases) == sorted(str(i) for i in range(10))
    assert {r.model for r in baseline.chat_requests()} == {"gpt-4o-mini"}
    assert {r.model for r in candidate.chat_requests()} == {"mira"}
    for _, base, cand in recorder.cases:
        assert (base.output, cand.output) == ("A", "B")
        assert base.request["messages"] == cand.request["messages"]


def test_concurrency_bounds_cases_in_flight(pair: tuple[FakeProvider, FakeProvider]) -> None:
    baseline, candidate = pair
    # Each answer waits until 3 requests are in flight: the bound is reached without depending on
    # timing, and requests beyond it would pile up with the held ones and show in max_in_flight.
    baseline.hold_until_in_flight = candidate.hold_until_in_flight = 3
    outcome = asyncio.run(run(baseline, candidate, make_cases(12), Recorder(), concurrency=3))
    assert outcome.finished == 12
    # Each side sees one request per case in flight, and the bound is actually reached.
    assert baseline.max_in_flight == 3 and candidate.max_in_flight == 3


def test_cases_are_pulled_lazily(pair: tuple[FakeProvider, FakeProvider]) -> None:
    """A stopped run has not read the rest of the file: cases are not all turned into tasks."""
    baseline, candidate = pair
    candidate.fail(401, times=None)
    pulled: list[int] = []
    outcome = asyncio.run(run(baseline, candidate, make_cases(10_000, pulled), Recorder(), concurrency=4))
    assert outcome.stop is not None
    assert len(pulled) <= 8


def test_a_rejected_key_is_caught_by_the_free_probe_before_any_case(pair: tuple[FakeProvider, FakeProvider]) -> None:
    baseline, candidate = pair
    candidate.api_key = "sk-a-key-nobody-has-0000000000000"
    outcome = asyncio.run(run(baseline, candidate, make_cases(50), Recorder(), concurrency=2))
    assert outcome.stop is not None
    assert (outcome.stop.side, outcome.stop.error.kind, outcome.stop.error.status) == ("candidate", "auth", 401)
    assert outcome.stop.endpoint.api_key_env == CANDIDATE_ENV
    assert outcome.started == 0
    assert baseline.chat_requests() == [] and [r.path for r in baseline.requests] == ["/v1/models"]


def test_auth_failure_on_chat_stops_the_run_naming_the_side(pair: tuple[FakeProvider, FakeProvider]) -> None:
    baseline, candidate = pair
    candidate.fail(401, times=None, style="vmira", message="Invalid API key")  # chat only; /models passes
    recorder = Recorder()
    outcome = asyncio.run(run(baseline, candidate, make_cases(50), recorder, concurrency=2))
    assert outcome.stop is not None
    assert (outcome.stop.side, outcome.stop.error.kind, outcome.stop.error.message) == (
        "candidate",
        "auth",
        "Invalid API key",
    )
    assert outcome.started <= 2 and len(candidate.chat_requests()) <= 2


def test_a_provider_without_models_endpoint_still_runs(pair: tuple[FakeProvider, FakeProvider]) -> None:
    baseline, candidate = pair
    candidate.serve_models = False
    outcome = asyncio.run(run(baseline, candidate, make_cases(3), Recorder()))
    assert outcome.stop is None and outcome.finished == 3
    assert [r.path for r in candidate.requests].count("/v1/models") == 1


def test_a_failing_case_does_not_stop_the_others(pair: tuple[FakeProvider, FakeProvider]) -> None:
    baseline, candidate = pair
    candidate.fail(500, times=2)
    candidate.fail(400, times=1, message="seed is not supported")
    recorder = Recorder()
    outcome = asyncio.run(run(baseline, candidate, make_cases(8), recorder, concurrency=1))
    assert outcome.finished == 8 and outcome.stop is None
    kinds = [cand.error.kind if cand.error else None for _, _, cand in recorder.cases]
    assert kinds == ["server", "server", "bad_request", None, None, None, None, None]


def test_unreachable_side_stops_the_run(
    pair: tuple[FakeProvider, FakeProvider], monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline, _ = pair
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dead = FakeProvider(api_key=CANDIDATE_KEY)
    dead.port = port
    outcome = asyncio.run(run(baseline, dead, make_cases(100), Recorder(), concurrency=2))
    assert outcome.stop is not None and outcome.stop.error.kind == "connection"
    assert outcome.stop.side == "candidate" and outcome.started == 0


def test_cancellation_returns_the_finished_part(pair: tuple[FakeProvider, FakeProvider]) -> None:
    baseline, candidate = pair
    candidate.replies["mira"] = lambda body: Reply("slow", delay=30) if "question 5" in str(body) else Reply("B")
    recorder = Recorder()

    async def scenario() -> RunOutcome:
        task = asyncio.create_task(run(baseline, candidate, make_cases(20), recorder, concurrency=1))
        # Cases 0-4 answer at once; case 5's baseline answers and its candidate hangs.
        while ("5", "baseline") not in recorder.sides or len(candidate.chat_requests()) < 6:
            await asyncio.sleep(0.01)
        task.cancel()
        return await task

    outcome = asyncio.run(scenario())
    assert outcome.interrupted and outcome.finished == 5 and outcome.started == 6
    assert [case_id for case_id, _, _ in recorder.cases] == ["0", "1", "2", "3", "4"]
    # Case 5's baseline answer had already arrived and was handed over; only the candidate hung.
    assert ("5", "baseline") in recorder.sides and ("5", "candidate") not in recorder.sides
