"""`migrate scan`: what the code uses of the OpenAI API, call site by call site, built on the
rewrite engine's analysis (the same discovery, notebooks and import/alias resolution)."""
