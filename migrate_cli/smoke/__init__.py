"""`migrate smoke`: run the user's prompts on both providers and compare outputs, tokens and cost."""
