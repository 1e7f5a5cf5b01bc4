# Placeholder: the `rewrite` command is being written (issue 2).
def rewrite(paths: list[str]) -> None:
    """Rewrite OpenAI clients to the target provider."""
    raise NotImplementedError
