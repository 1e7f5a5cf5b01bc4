"""Run rewritten framework code for real: rewrite it, import it in a subprocess, let it call a server.

The target is a tiny OpenAI-compatible server on 127.0.0.1 (started by the test), so the rewritten
code's requests can be seen: the path, and the key in `Authorization`. The subprocess gets the target
key in the target's env var and decoy OpenAI settings (`OPENAI_API_KEY`, `OPENAI_BASE_URL`,
`OPENAI_API_BASE` pointing at a port nothing listens on), so code that still followed OpenAI's env
would fail or be seen using the wrong key. No test here needs the network.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from textwrap import dedent
from typing import Any

from migrate_cli.config import resolve_target
from migrate_cli.rewrite.engine import rewrite_source
from migrate_cli.rewrite.model import RewriteSettings

TARGET_KEY_ENV = "MIRA_API_KEY"
TARGET_KEY = "sk-mira-target-key-for-tests-0000"
DECOY_OPENAI_KEY = "sk-openai-decoy-key-for-tests-000"
DECOY_URL = "http://127.0.0.1:9/decoy/v1"  # port 9 (discard): nothing answers there


@dataclass
class Seen:
    method: str
    path: str
    authorization: str
    body: dict[str, Any]


@dataclass
class FakeTarget:
    """An OpenAI-compatible endpoint that answers chat completions and embeddings and logs requests."""

    reply: str = "hello from the target"
    seen: list[Seen] = field(default_factory=list)
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def answer(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        usage = {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}
        if path.endswith("/embeddings"):
            inputs = body.get("input")
            count = len(inputs) if isinstance(inputs, list) else 1
            data = [{"object": "embedding", "index": i, "embedding": [0.5, 0.25, 0.125]} for i in range(count)]
            return {"object": "list", "data": data, "model": body.get("model", ""), "usage": usage}
        message = {"role": "assistant", "content": self.reply}
        choice = {"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}
        return {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", ""),
            "choices": [choice],
            "usage": usage,
        }


def _handler(target: FakeTarget) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            target.seen.append(Seen("POST", self.path, self.headers.get("Authorization", ""), body))
            payload = json.dumps(target.answer(self.path, body)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:  # keep pytest output clean
            pass

    return Handler


def serve(target: FakeTarget) -> Iterator[FakeTarget]:
    """Generator for a pytest fixture: the server runs in a thread for the duration of the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(target))
    target.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield target
    finally:
        server.shutdown()
        server.server_close()


def rewrite_for(code: str, base_url: str) -> str:
    settings = RewriteSettings(resolve_target(base_url=base_url, api_key_env=TARGET_KEY_ENV))
    result = rewrite_source(dedent(code), settings)
    assert result.changed, "the rewrite was expected to change this code"
    return result.code


def run_probe(tmp_path: Path, app_code: str, probe: str, timeout: float = 120) -> dict[str, Any]:
    """Write `app.py` (the rewritten code), run `probe` next to it, return the JSON it prints last."""
    (tmp_path / "app.py").write_text(app_code, encoding="utf-8")
    (tmp_path / "probe.py").write_text(dedent(probe), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LANGSMITH_", "LANGCHAIN_"))}
    env.update(
        {
            TARGET_KEY_ENV: TARGET_KEY,
            "OPENAI_API_KEY": DECOY_OPENAI_KEY,
            "OPENAI_BASE_URL": DECOY_URL,
            "OPENAI_API_BASE": DECOY_URL,
            "OPENAI_AGENTS_DISABLE_TRACING": "1",  # the agents SDK would otherwise export to api.openai.com
            "NO_PROXY": "127.0.0.1",
        }
    )
    done = subprocess.run(
        [sys.executable, "probe.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"probe failed:\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example(code: str) -> tuple[str, str]:
    """The `# before` / `# after` code of the README section `### <code> ...`."""
    text = README.read_text(encoding="utf-8")
    section = text.split(f"\n### {code} ", 1)[1].split("\n### ", 1)[0]
    block = section.split("```python\n", 1)[1].split("```", 1)[0]
    before, after = block.split("# after", 1)
    before = before.removeprefix("# before\n").rstrip("\n") + "\n"
    after = after.split("\n", 1)[1].rstrip("\n") + "\n"  # drop the rest of the "# after ..." line
    return before, after
