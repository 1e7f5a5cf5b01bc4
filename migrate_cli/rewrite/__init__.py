"""`migrate rewrite`: point every OpenAI client construction at the target provider."""
