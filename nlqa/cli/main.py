"""``nlqa``: the command line. One module per subcommand; ``main(argv, env)`` returns the exit code.

Each subcommand module has ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args, env) -> int``;
adding one (e.g. ``chat``) is one import and one entry in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import traceback
from contextlib import redirect_stderr, redirect_stdout
from typing import Sequence

from .. import __version__
from . import ask, batch, chat, evaluate
from .env import Env
from .status import ExitStatus

COMMANDS = (ask, batch, evaluate, chat)
DOCS = ("Documentation, in the docs/ folder of the nlqa repository: conventions.md (what a silent question "
        "means), json.md (the --json answer), corpus.md (the eval format), architecture.md.")


def frameworks() -> list[str]:
    """The conventions nlqa knows (grammars/conventions.toml): keras, pytorch, textbook."""
    from ..resources import load_toml
    return sorted(load_toml("conventions.toml"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nlqa", description="Answers questions about neural networks (parameter counts, shapes) "
                                 "with an exact number and a step-by-step derivation.",
        epilog="Exit codes: 0 answered/finished, 1 internal error, 2 usage error, "
               "3 question not answered (needs clarification or unsupported), 141 stdout closed early. "
               + DOCS)
    parser.add_argument("--version", action="version", version=f"nlqa {__version__}")
    parser.add_argument("--traceback", action="store_true", help="show the full traceback of an internal error")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--framework", choices=frameworks(),
                        help="count with this framework's conventions (default: as the question says, else textbook)")
    common.add_argument("--traceback", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback of an internal error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP, parents=[common],
                                 epilog=DOCS)
        module.add_arguments(command)
        command.set_defaults(run=module.run, parser=command)
    return parser


def _exit_code(code: object) -> int:
    if code is None:
        return ExitStatus.OK
    return code if isinstance(code, int) else ExitStatus.USAGE


def main(argv: Sequence[str] | None = None, env: Env | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``) in ``env``; return the exit code."""
    env = env or Env()
    args = None
    try:
        parser = build_parser()
        try:
            with redirect_stdout(env.stdout), redirect_stderr(env.stderr):
                args, unknown = parser.parse_known_args(argv)
                if unknown:                # `ask --frobnicate`: the subcommand's usage, not nlqa's
                    getattr(args, "parser", parser).error(f"unrecognized arguments: {' '.join(unknown)}")
        except SystemExit as exc:          # --help, --version, usage errors: argparse has printed
            return _exit_code(exc.code)
        if args.command is None:
            parser.print_usage(env.stderr)
            env.error("choose a command, e.g. nlqa ask \"How many parameters ...?\"")
            return ExitStatus.USAGE
        return int(args.run(args, env))
    except KeyboardInterrupt:
        env.error("interrupted")
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:                # the reader of stdout went away: nothing left to say
        _silence(env.stdout)
        return ExitStatus.BROKEN_PIPE
    except OSError as exc:
        if exc.errno in WRITE_ERRORS:      # disk full, I/O error on the output: a plain message, exit 2
            _write_error(env, exc)
            return ExitStatus.USAGE
        return _internal(exc, args, argv, env)
    except Exception as exc:  # noqa: BLE001 - the one place every unexpected error ends
        return _internal(exc, args, argv, env)


WRITE_ERRORS = {errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG, errno.EROFS}


def _write_error(env: Env, exc: OSError) -> None:
    try:
        env.error(f"cannot write {exc.filename or 'stdout'}: {exc.strerror or exc}")
    except OSError:
        pass


def _internal(exc: BaseException, args, argv, env: Env) -> int:
    """An unexpected error: one line (or the traceback with --traceback), exit 1."""
    wanted = getattr(args, "traceback", False) if args else "--traceback" in (sys.argv if argv is None else argv)
    if wanted:
        traceback.print_exc(file=env.stderr)
    else:
        env.error(f"internal error: {type(exc).__name__}: {exc}; rerun with --traceback")
    return ExitStatus.ERROR


def _silence(stream) -> None:
    """Point a closed stdout at /dev/null, so the interpreter's last flush cannot fail again."""
    try:
        fd = stream.fileno()
    except (AttributeError, ValueError, OSError):
        return                             # an in-memory stream (tests): nothing to redirect
    os.dup2(os.open(os.devnull, os.O_WRONLY), fd)


def run() -> None:
    """The console script: exit with ``main()``'s code; output never fails on unencodable text."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:        # e.g. `nlqa ask ... | head -1`: silence the flush at exit
        _silence(sys.stdout)
        code = ExitStatus.BROKEN_PIPE
    except OSError as exc:         # `nlqa ask ... > /dev/full`: the last buffered bytes
        _write_error(Env(), exc)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = ExitStatus.USAGE
    batchrun = sys.modules.get("nlqa.batchrun")   # imported only when a batch ran
    if batchrun is not None and batchrun.ABANDONED:   # a killed pool worker may have left its manager thread waiting forever
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
