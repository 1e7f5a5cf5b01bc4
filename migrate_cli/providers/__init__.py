"""Provider presets and price tables, as data files with their sources and dates."""
