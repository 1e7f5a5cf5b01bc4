"""A small support-desk app that talks to OpenAI: the sample `migrate rewrite` runs on."""
