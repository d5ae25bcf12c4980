"""Exit codes of the ``nlqa`` command, in one place (like httpie's ``ExitStatus``).

=====  ============  ==========================================================================
code   name          when
=====  ============  ==========================================================================
0      OK            answered; ``batch`` and ``eval`` ran to the end (error lines and wrong
                     answers are data, not failures)
1      ERROR         internal error (one line on stderr; ``--traceback`` shows it), or an
                     answer with status ``error``
2      USAGE         bad command line (argparse), an input or output file that cannot be opened
                     or written (disk full), a ``--resume`` against another input
3      NOT_ANSWERED  ``ask`` got needs_clarification or unsupported, including an empty question;
                     ``ask --code`` for a network the framework cannot express
4      MISMATCH      ``ask --verify``: a framework's count or shape differs from nlqa's
130    INTERRUPTED   Ctrl-C
141    BROKEN_PIPE   stdout closed early (``nlqa batch big.jsonl | head -1``): quietly, with the
                     status a shell gives a program ended by SIGPIPE (128 + 13)
128+N              ``batch`` stopped by signal N: SIGTERM (143) or SIGHUP (129); whole lines kept
=====  ============  ==========================================================================
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    NOT_ANSWERED = 3
    MISMATCH = 4
    INTERRUPTED = 130
    BROKEN_PIPE = 141


STATUS_EXIT = {"answered": ExitStatus.OK, "needs_clarification": ExitStatus.NOT_ANSWERED,
               "unsupported": ExitStatus.NOT_ANSWERED, "error": ExitStatus.ERROR}


def exit_status_for(answer_status: str) -> ExitStatus:
    """The exit code of ``nlqa ask`` for an Answer's status."""
    return STATUS_EXIT.get(answer_status, ExitStatus.ERROR)
