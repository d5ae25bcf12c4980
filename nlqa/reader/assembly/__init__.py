"""Stage 4, assembly: layer phrases and code layers → ordered layers → a NetworkSpec."""
