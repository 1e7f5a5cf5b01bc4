"""Local development against a recording proxy (see docs/dev.md): not OpenAI, so review by hand."""

from openai import OpenAI

proxy_client = OpenAI(base_url="http://localhost:8080/v1", api_key="dev-proxy")
