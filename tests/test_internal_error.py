"""An unexpected error is one line that names it as a bug, and it shows no secret of any shape."""

from __future__ import annotations

import pytest
import typer

from migrate_cli.cli import guarded
from migrate_cli.errors import ExitCode

HEX64 = "9c1f0e7a2b4d6f8091a3c5e7092b4d6f8a1c3e5079b2d4f6081a3c5e7f9b2d4c"
GROQ = "gsk_Vb7Nq2Lx9Rt4Wz6Yp1Ks3Dm5Fh8Jc0"
SHORT = "q7Z!w2"


def test_an_unexpected_errors_message_is_shown_without_any_secret(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("MIGRATE_DEBUG", raising=False)
    monkeypatch.setenv("TOGETHER_API_KEY", HEX64)
    monkeypatch.setenv("GROQ_API_KEY", GROQ)
    monkeypatch.setenv("INTERNAL_SERVICE_TOKEN", SHORT)
    monkeypatch.setenv("LOCAL_LLM_KEY", "EMPTY")  # a placeholder is no secret: the text keeps it

    @guarded
    def command() -> None:
        raise RuntimeError(
            f"request failed: headers={{'Authorization': 'Bearer {HEX64}'}} groq={GROQ} token={SHORT} "
            "proxy=https://bob:hunter22@proxy.example/v1 key=EMPTY"
        )

    with pytest.raises(typer.Exit) as exited:
        command()
    assert exited.value.exit_code == ExitCode.FAILURE
    err = capfd.readouterr().err
    assert "internal error: RuntimeError: request failed" in err
    assert "This is a bug in migrate" in err
    for secret in (HEX64, GROQ, SHORT, "hunter22"):
        assert secret not in err
    assert "https://bob:…REDACTED@proxy.example/v1" in err and "key=EMPTY" in err
