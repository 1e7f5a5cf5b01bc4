"""migrate: move OpenAI SDK code to an OpenAI-compatible provider, and prove the move is safe."""

__version__ = "0.1.0"
