"""Nightly job: e-mail yesterday's ticket digest. Written long ago, run by cron.

Uses the module-level client (`openai.chat...`), configured below.
"""

import os
import sys

import openai

# TODO(ops): move this to the vault. (A fake, clearly-not-real key for the example.)
openai.api_key = os.environ["MIRA_API_KEY"]
openai.base_url = "https://api.vmira.ai/v1"


def digest(tickets: list[str]) -> str:
    joined = "\n".join(f"- {t}" for t in tickets)
    reply = openai.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": f"Digest these tickets:\n{joined}"}],
    )
    return reply.choices[0].message.content or ""


if __name__ == "__main__":
    print(digest(sys.stdin.read().splitlines()))
