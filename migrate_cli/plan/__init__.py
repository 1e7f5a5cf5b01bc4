"""`migrate plan`: the features the code uses (scan) joined with what the target does with them (probe)."""
