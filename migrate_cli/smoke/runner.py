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
the same way. Cancellation (Ctrl-C) stops it too; `run_cases` then returns what finished, marked interrupted, instead of
raising, so the caller can report it.

Start-up: the `/models` probes are sent first; then `warm_up` (loading the tokenizer, a second of
CPU) runs in a thread while they are in flight, and every chat call waits for it, so neither the
first request nor any measured call shares the CPU with it.
With a `Replay` (--cache, --resume) an answer found there is not asked at all, and a side's probe is
sent only before its first real call: a run served wholly from the cache sends nothing.

Per case and side: `repeat` answers (--repeat N, asked one after another), and for the first
`stream_check` cases one more in the other streaming mode (--stream-check K). A provider that
rejected `stream_options` once is not sent it again in this run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from migrate_cli.smoke.calibration import calibration_request
from migrate_cli.smoke.calls import STREAM_OPTIONS_NOTE, CallSettings, build_request, call_side, open_client, preflight
from migrate_cli.smoke.records import SIDES, CallError, Case, Endpoint, SideName, SideResult

if TYPE_CHECKING:
    from openai import AsyncOpenAI

    from migrate_cli.smoke.replay import Replay

DEFAULT_CONCURRENCY = 8
#: Seconds the probes get to leave before the tokenizer starts loading (see run_cases).
WARM_UP_AFTER_S = 0.25


@dataclass(frozen=True)
class CaseAnswers:
    """Everything asked for one case: `repeat` answers per side, and the other streaming mode's."""

    baseline: tuple[SideResult, ...]
    candidate: tuple[SideResult, ...]
    #: --stream-check: the case asked in the other mode (streamed if the run is not, and back).
    other_mode: Mapping[SideName, SideResult] = field(default_factory=dict)


#: A response as it arrives -> the response to keep (the command adds estimates and cost).
SideHook = Callable[[Case, SideResult], SideResult]
#: Every answer of a case is in.
CaseHook = Callable[[Case, CaseAnswers], None]


@dataclass(frozen=True)
class RunSettings:
    concurrency: int = DEFAULT_CONCURRENCY
    calls: CallSettings = field(default_factory=CallSettings)
    #: --repeat N: answers per side and case.
    repeat: int = 1
    #: --stream-check K: the first K cases are also asked in the other streaming mode.
    stream_check: int = 0
    #: --calibrate: every request capped to one output token.
    calibrate: bool = False


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


class _Stopped(Exception):
    """A side's probe failed, or the run stopped: this case is not sent."""


class _Sides:
    """Per-side state of one run: clients, probes, the stream_options memory, the ask itself."""

    def __init__(
        self,
        endpoints: Mapping[SideName, Endpoint],
        settings: RunSettings,
        outcome: RunOutcome,
        side_done: SideHook,
        replay: Replay | None,
        secrets: Sequence[str],
    ) -> None:
        self.endpoints = endpoints
        self.settings = settings
        self.outcome = outcome
        self.side_done = side_done
        self.replay = replay
        self.secrets = secrets
        self.clients: dict[SideName, AsyncOpenAI] = {
            side: open_client(endpoints[side], settings.calls) for side in SIDES
        }
        self.probes: dict[SideName, asyncio.Task[CallError | None]] = {}
        self.warm: asyncio.Future[None] | None = None
        self.no_stream_options: set[SideName] = set()

    def probe(self, side: SideName) -> asyncio.Task[CallError | None]:
        if side not in self.probes:
            self.probes[side] = asyncio.create_task(preflight(self.clients[side], self.endpoints[side], self.secrets))
        return self.probes[side]

    async def ready(self, side: SideName) -> None:
        error = await self.probe(side)
        if error is not None and self.outcome.stop is None:
            self.outcome.stop = Stop(side, self.endpoints[side], error)
        if self.outcome.stop is not None:
            raise _Stopped
        await self.warmed()

    async def warmed(self) -> None:
        if self.warm is not None:
            await self.warm

    async def ask(self, case: Case, side: SideName, model: str, repeat: int, stream: bool) -> SideResult:
        request = build_request(case, model, stream=stream, stream_options=side not in self.no_stream_options)
        if self.settings.calibrate:
            request = calibration_request(request)
        endpoint = self.endpoints[side]
        result = self.replay.lookup(endpoint, case.id, request, repeat) if self.replay is not None else None
        if result is not None:
            await self.warmed()
        else:
            await self.ready(side)
            result = await call_side(self.clients[side], endpoint, request, secrets=self.secrets)
            if repeat:
                result = replace(result, repeat=repeat)
            if any(note.startswith(STREAM_OPTIONS_NOTE) for note in result.notes):
                self.no_stream_options.add(side)
            if self.replay is not None:
                self.replay.store(endpoint, request, result)
        result = self.side_done(case, result)
        outcome = self.outcome
        if result.error is None:
            outcome.answered[side] += 1
        elif outcome.stop is None and _stops_run(result.error, outcome.answered[side]):
            outcome.stop = Stop(side, endpoint, result.error)
        return result

    async def answers(self, case: Case, side: SideName, model: str, check: bool) -> list[SideResult]:
        """The case's answers on one side: the repeats in order, then the other mode's (if checked)."""
        stream = self.settings.calls.stream
        found = [await self.ask(case, side, model, repeat, stream) for repeat in range(self.settings.repeat)]
        if check:
            found.append(await self.ask(case, side, model, 0, not stream))
        return found

    async def close(self) -> None:
        for task in self.probes.values():
            task.cancel()
        await asyncio.gather(*self.probes.values(), return_exceptions=True)
        await asyncio.gather(*(client.close() for client in self.clients.values()), return_exceptions=True)


async def run_cases(
    cases: Iterable[Case],
    *,
    endpoints: Mapping[SideName, Endpoint],
    candidate_model: Callable[[Case], str],
    settings: RunSettings,
    side_done: SideHook,
    case_done: CaseHook,
    secrets: Sequence[str] = (),
    replay: Replay | None = None,
    warm_up: Callable[[], None] | None = None,
    halted: Callable[[], bool] = lambda: False,
) -> RunOutcome:
    """Run every case on both sides; returns (never raises) on a stop or a cancellation."""
    if settings.concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    outcome = RunOutcome()
    sides = _Sides(endpoints, settings, outcome, side_done, replay, secrets)
    source: Iterator[tuple[int, Case]] = enumerate(cases)

    async def worker() -> None:
        # Pulling from the shared iterator is safe: workers only switch at an await.
        while outcome.stop is None and not halted():
            index, case = next(source, (-1, None))
            if case is None:
                return
            outcome.started += 1
            check = index < settings.stream_check
            found = await asyncio.gather(
                sides.answers(case, "baseline", case.model, check),
                sides.answers(case, "candidate", candidate_model(case), check),
                return_exceptions=True,
            )
            for item in found:
                if isinstance(item, BaseException) and not isinstance(item, _Stopped):
                    raise item
            if any(isinstance(item, _Stopped) for item in found):
                outcome.started -= 1  # stopped before it was asked: not a case of this run
                return
            base, cand = (item for item in found if isinstance(item, list))
            repeat = settings.repeat
            other: dict[SideName, SideResult] = {"baseline": base[repeat], "candidate": cand[repeat]} if check else {}
            case_done(case, CaseAnswers(tuple(base[:repeat]), tuple(cand[:repeat]), other))
            outcome.finished += 1

    workers: list[asyncio.Task[None]] = []
    try:
        if replay is None:
            # Nothing can be answered without asking: probe both sides now, before any case. The
            # tokenizer load holds the GIL for most of a second, so it starts once the probes are
            # on the wire (back, or WARM_UP_AFTER_S at the latest) and loads while they are out.
            probes = [sides.probe(side) for side in SIDES]
            await asyncio.wait(probes, timeout=WARM_UP_AFTER_S)
        if warm_up is not None:
            sides.warm = asyncio.ensure_future(asyncio.to_thread(warm_up))
        if replay is None:
            for side, probe in zip(SIDES, probes, strict=True):
                error = await probe
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
        await sides.close()
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
    replay: Replay | None = None,
    warm_up: Callable[[], None] | None = None,
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
                replay=replay,
                warm_up=warm_up,
                halted=halted,
            )
        )


def _quiet_interrupt(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A second Ctrl-C raises KeyboardInterrupt inside whichever task is running; asyncio would
    then print that task's traceback ("exception was never retrieved") on top of the CLI's
    one-line "interrupted"."""
    if not isinstance(context.get("exception"), KeyboardInterrupt):
        loop.default_exception_handler(context)
