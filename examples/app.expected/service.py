"""The async summarising service behind the support desk's "TL;DR" button."""

import os

import openai as oa

SYSTEM_PROMPT = "Summarise the ticket in two sentences. Never invent facts."


class Summarizer:
    def __init__(self, client: oa.AsyncOpenAI | None = None) -> None:
        self.client = client or oa.AsyncOpenAI(
            api_key=os.environ["MIRA_API_KEY"],
            base_url="https://api.vmira.ai/v1",
        )

    async def summarize(self, ticket: str, model: str = "gpt-4o-mini") -> str:
        response = await self.client.chat.completions.create(
            model=model,
            messages=[
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": ticket},
            ],
        )
        return response.choices[0].message.content or ""
