"""Test doubles. This `OpenAI` is ours, not the SDK's: migrate must leave it alone."""


class OpenAI:
    """Records requests instead of sending them."""

    def __init__(self, api_key: str = "test", base_url: str = "http://fake") -> None:
        self.api_key = api_key
        self.base_url = base_url
        self.sent: list[dict] = []


def make_fake_client() -> OpenAI:
    return OpenAI(api_key="not-a-key")
