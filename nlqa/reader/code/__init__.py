"""Stage 3, code reading: pasted Python read with ``ast`` (never executed), printed models, summary tables."""
