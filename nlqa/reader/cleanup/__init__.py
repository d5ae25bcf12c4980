"""Stage 1, text clean-up: HTML entities, markdown, LaTeX, typos, code relined, variants set apart."""
