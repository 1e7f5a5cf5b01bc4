"""The support desk's assistant: answers in a stream, looks orders up with a tool, files tickets
as JSON, and finds similar past tickets by embedding. Scanned in README's `migrate plan` example."""

import os

from openai import OpenAI

MODEL = os.getenv("BOT_MODEL", "gpt-4o-mini")
LOOKUP_ORDER = {
    "type": "function",
    "function": {
        "name": "lookup_order",
        "description": "Find an order by its number.",
        "parameters": {"type": "object", "properties": {"number": {"type": "string"}}, "required": ["number"]},
    },
}

client = OpenAI()


def stream_answer(question: str):
    """Tokens as they come; the last chunk carries the usage the desk bills by."""
    return client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": question}],
        stream=True,
        stream_options={"include_usage": True},
    )


def answer_with_orders(question: str):
    return client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": question}],
        tools=[LOOKUP_ORDER],
        tool_choice="required",
    )


def file_ticket(text: str, **options):
    params = {"model": MODEL, "response_format": {"type": "json_object"}, "seed": 7}
    params["max_completion_tokens"] = 300
    return client.chat.completions.create(messages=[{"role": "user", "content": text}], **params, **options)


def similar_tickets(texts: list[str]):
    return client.embeddings.create(model="text-embedding-3-small", input=texts)
