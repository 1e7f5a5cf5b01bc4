# Placeholder: the `smoke` command is being written (issue 3).
def smoke(prompts: str) -> None:
    """Run prompts on both providers and compare."""
    raise NotImplementedError
