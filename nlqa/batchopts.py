"""The settings of ``nlqa batch`` that its command line shows: formats, limits, workers.

Kept apart from the batch machinery (``batchio``, ``batchout``, ``batchrun``) so that building the
command line, at every start of nlqa, does not import it; those modules take them from here.
"""

from __future__ import annotations

import os

INPUT_FORMATS = ("jsonl", "csv", "tsv", "text")
OUTPUT_FORMATS = ("jsonl", "csv", "markdown")
MAX_CHARS = 20_000            # default longest question a batch answers (--max-chars)
CHUNK_SIZE = 32               # questions sent to a worker at a time (--chunk-size)


def default_jobs() -> int:
    """All the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1
