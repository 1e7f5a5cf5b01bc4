"""The HTTP client the openai SDK sends through, with one deadline per attempt for the whole answer.

The SDK's `timeout` is httpx's: it bounds each read, so a server that drips one byte a second
never times out. Here every attempt (connection, headers, redirects and the whole body, streamed or
not) must be done within `seconds`, else it fails with the HTTP library's own `ReadTimeout`. The
SDK treats that like any timeout: it retries a non-streamed call up to `max_retries` times (each
attempt with a fresh deadline, so a Retry-After wait between attempts is not counted) and then raises
`APITimeoutError`; a streamed body times out while it is read, where calls.py retries it.

openai 1.x sends through httpx, 2.x and later through httpx2 (same API). The library is the one the
installed SDK's default client is built on. Imported only when a run starts (not by `migrate --help`).
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import openai


def http_library() -> ModuleType:
    """httpx or httpx2: whichever `openai.DefaultAsyncHttpxClient` is built on."""
    for cls in openai.DefaultAsyncHttpxClient.__mro__:
        if cls.__name__ == "AsyncClient":
            return importlib.import_module(cls.__module__.split(".")[0])
    raise RuntimeError("the openai SDK's HTTP client is not an httpx AsyncClient")  # pragma: no cover


_http = http_library()


class DeadlineHttpClient(openai.DefaultAsyncHttpxClient):
    """The SDK's default async client (its timeouts, limits, redirects) with a whole-answer deadline."""

    def __init__(self, seconds: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.deadline_seconds = seconds

    async def send(self, request: Any, *, stream: bool = False, **kwargs: Any) -> Any:
        deadline = asyncio.get_running_loop().time() + self.deadline_seconds
        try:
            async with asyncio.timeout_at(deadline):
                response = await super().send(request, stream=stream, **kwargs)
        except TimeoutError:
            raise self._timed_out(request) from None
        if stream:
            # The body is read after send() returns: the same deadline goes on bounding it.
            response.stream = _DeadlineStream(response.stream, deadline, lambda: self._timed_out(request))
        return response

    def _timed_out(self, request: Any) -> Exception:
        return _http.ReadTimeout(f"no complete answer within {self.deadline_seconds:g} s", request=request)


class _DeadlineStream(_http.AsyncByteStream):  # type: ignore[name-defined] # a module chosen at import
    def __init__(self, inner: Any, deadline: float, timed_out: Any) -> None:
        self._inner = inner
        self._deadline = deadline
        self._timed_out = timed_out

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self._inner.__aiter__()
        while True:
            try:
                async with asyncio.timeout_at(self._deadline):
                    chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise self._timed_out() from None
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


#: What reading a streamed body can raise: a timeout (the deadline or a read timeout), or any other
#: transport failure (a reset, a protocol error): the stream broke.
TIMEOUT_ERRORS: tuple[type[Exception], ...] = (_http.TimeoutException,)
TRANSPORT_ERRORS: tuple[type[Exception], ...] = (_http.HTTPError, OSError)
