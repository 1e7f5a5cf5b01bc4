"""Paired calls: every case goes to both sides at once, `concurrency` cases at a time. No rendering.

A fixed pool of `concurrency` workers pulls cases from the (lazy) case iterator, so a 100,000-case
file never becomes 100,000 tasks or a list in memory: at most `concurrency` cases, and two requests
each, are in flight. Results leave through two callbacks as they happen: `side_done` for each
response the moment it arrives (the command appends it to the results file, so an interrupted run
keeps everything already paid for) and `case_done` when both sides of a case are back (report rows,
summary, progress).

Before the first case, each side gets a free `GET /models`: a rejected key (401) or an unreachable
host stops the run there, before anything is paid for. Later, the run stops early (letting calls
already in flight finish) when a side rejects its key (401/403) or when a side that never answered
is unreachable after the SDK's retries: every later call would fail the same way. `halted`
(the caller's own reason to stop, such as a results file that can no longer be written) stops it
the same way. Cancellation (Ctrl-C) stops it too; `run_cases` then returns what finished,
marked interrupted, instead of raising, so the caller can report it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from migrate_cli.smoke.calls import CallSettings, build_request, call_side, open_client, preflight
from migrate_cli.smoke.records import CallError, Case, Endpoint, SideName, SideResult

SIDES: tuple[SideName, SideName] = ("baseline", "candidate")
DEFAULT_CONCURRENCY = 8

#: A response as it arrives -> the response to keep (the command adds estimates and cost).
SideHook = Callable[[Case, SideResult], SideResult]
#: Both responses of a case are in.
CaseHook = Callable[[Case, SideResult, SideResult], None]


@dataclass(frozen=True)
class RunSettings:
    concurrency: int = DEFAULT_CONCURRENCY
    calls: CallSettings = field(default_factory=CallSettings)


@dataclass(frozen=True)
class Stop:
    """Why a run stopped before its last case: a side that cannot be used at all."""

    side: SideName
    endpoint: Endpoint
    error: CallError


@dataclass
class RunOutcome:
    #: Cases sent (both sides launched).
    started: int = 0
    #: Cases with both answers in (and passed to `case_done`).
    finished: int = 0
    interrupted: bool = False
    stop: Stop | None = None
    #: Successful responses per side, so "unreachable from the start" can be told apart.
    answered: dict[str, int] = field(default_factory=lambda: {side: 0 for side in SIDES})


async def run_cases(
    cases: Iterable[Case],
    *,
    endpoints: Mapping[SideName, Endpoint],
    candidate_model: Callable[[Case], str],
    settings: RunSettings,
    side_done: SideHook,
    case_done: CaseHook,
    secrets: Sequence[str] = (),
    halted: Callable[[], bool] = lambda: False,
) -> RunOutcome:
    """Run every case on both sides; returns (never raises) on a stop or a cancellation."""
    if settings.concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    clients = {side: open_client(endpoints[side], settings.calls) for side in SIDES}
    outcome = RunOutcome()
    source: Iterator[Case] = iter(cases)
    stream = settings.calls.stream

    async def one_side(case: Case, side: SideName, model: str) -> SideResult:
        request = build_request(case, model, stream=stream)
        result = side_done(case, await call_side(clients[side], endpoints[side], request, secrets=secrets))
        if result.error is None:
            outcome.answered[side] += 1
        elif outcome.stop is None and _stops_run(result.error, outcome.answered[side]):
            outcome.stop = Stop(side, endpoints[side], result.error)
        return result

    async def worker() -> None:
        # Pulling from the shared iterator is safe: workers only switch at an await.
        while outcome.stop is None and not halted():
            case = next(source, None)
            if case is None:
                return
            outcome.started += 1
            baseline, candidate = await asyncio.gather(
                one_side(case, "baseline", case.model),
                one_side(case, "candidate", candidate_model(case)),
            )
            case_done(case, baseline, candidate)
            outcome.finished += 1

    workers: list[asyncio.Task[None]] = []
    try:
        checks = await asyncio.gather(*(preflight(clients[side], endpoints[side], secrets) for side in SIDES))
        for side, error in zip(SIDES, checks):
            if error is not None and outcome.stop is None:
                outcome.stop = Stop(side, endpoints[side], error)
        if outcome.stop is None:
            workers = [asyncio.create_task(worker()) for _ in range(settings.concurrency)]
            await asyncio.gather(*workers)
    except asyncio.CancelledError:
        outcome.interrupted = True
        task = asyncio.current_task()
        if task is not None:
            # We are the run's top task: consume the cancel and hand back the partial outcome.
            task.uncancel()
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        await asyncio.gather(*(client.close() for client in clients.values()), return_exceptions=True)
    return outcome


def _stops_run(error: CallError, answered_before: int) -> bool:
    """Auth failures always stop; a side unreachable before its first answer is unusable too."""
    if error.kind == "auth":
        return True
    return error.kind == "connection" and answered_before == 0


def run(
    cases: Iterable[Case],
    *,
    endpoints: Mapping[SideName, Endpoint],
    candidate_model: Callable[[Case], str],
    settings: RunSettings,
    side_done: SideHook,
    case_done: CaseHook,
    secrets: Sequence[str] = (),
    halted: Callable[[], bool] = lambda: False,
) -> RunOutcome:
    """`run_cases` in a fresh event loop. Ctrl-C cancels it and comes back as `interrupted`; a
    second Ctrl-C raises KeyboardInterrupt (the CLI says "interrupted" and exits with 130)."""
    with asyncio.Runner() as loop_runner:
        loop_runner.get_loop().set_exception_handler(_quiet_interrupt)
        return loop_runner.run(
            run_cases(
                cases,
                endpoints=endpoints,
                candidate_model=candidate_model,
                settings=settings,
                side_done=side_done,
                case_done=case_done,
                secrets=secrets,
                halted=halted,
            )
        )


def _quiet_interrupt(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A second Ctrl-C raises KeyboardInterrupt inside whichever task is running; asyncio would
    then print that task's traceback ("exception was never retrieved") on top of the CLI's
    one-line "interrupted"."""
    if not isinstance(context.get("exception"), KeyboardInterrupt):
        loop.default_exception_handler(context)
