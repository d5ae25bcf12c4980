"""Stage 2, prose reading: the spaCy pipeline, typed mentions, sizes attached to their nouns, layer phrases."""
