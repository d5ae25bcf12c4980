"""``nlqa chat``: a conversation. Ask a question, then follow up ("what if they were LSTMs?").

On a terminal: a prompt with line editing and a history kept across sessions (GNU readline; the
file is ``$XDG_DATA_HOME/nlqa/history``, else ``~/.local/share/nlqa/history``). Ctrl-C cancels the
line, Ctrl-D leaves. Otherwise the messages are read from stdin as they arrive, one per line, and
each is answered (and flushed) at once; only a block that is clearly open goes on over several
lines: a code fence, or a call or list left open (``nn.Sequential(``) up to its closing bracket
(a bracket that never closes ends at a blank line). The exit code is 0 at the end of input.
"""

from __future__ import annotations

import argparse
import os
import re
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path

from .ask import add_form_arguments
from .env import Env
from .status import ExitStatus

NAME = "chat"
HELP = "a conversation: ask about a network, then follow up ('what if they were LSTMs?', 'and in PyTorch?')"
PROMPT, MORE = "nlqa> ", "...> "
HISTORY_LENGTH = 1000
MAX_BLOCK_LINES = 200        # lines of one piped message whose bracket or fence never closes
# A call or a literal list/dict opened and not closed: "nn.Sequential(", "layers = [", "f(1,"
OPEN_CALL = re.compile(r"[\w.\]\)]\(|(?:^|[=(\[{,:]\s*)[\[{]")
CODE_LINE = re.compile(r"^\s+\S|^\s*(?:[\w.]+\s*=[^=]|import |from |model\.|\)|\]|[\w.]+\()")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_form_arguments(parser, json_help="one JSON answer per line (notes go to stderr)",
                       explain_help="show what the reader extracted before each answer")
    parser.add_argument("--no-history", action="store_true", help="do not read or write the history file")


# -- reading messages ---------------------------------------------------------------------------

def open_brackets(text: str) -> int:
    """How many (, [ or { are still open at the end of ``text`` (a pasted snippet goes on)."""
    depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
    return depth


def opens_block(line: str) -> bool:
    """Whether ``line`` clearly goes on: it opens a call or a list it does not close
    (``nn.Sequential(``, ``layers = [``), not a bracket of prose or an emoticon (``:(``)."""
    stripped = line.strip()
    if stripped.startswith("/") or not open_brackets(stripped):
        return False
    return bool(OPEN_CALL.search(stripped))


def _joined(lines: list[str]) -> str:
    """Lines of one message: code keeps its line breaks, wrapped prose becomes one line."""
    if any(CODE_LINE.match(line) for line in lines[1:]) or any(open_brackets(l) for l in lines[:-1]):
        return "\n".join(lines)
    return " ".join(line.strip() for line in lines)


class Message(str):
    """A message read from a pipe, with the note to show before its reply (a block cut short)."""

    note: str = ""


def _message(lines: list[str], note: str = "") -> Message:
    message = Message(_joined(lines))
    message.note = note
    return message


def messages(lines: Iterable[str]) -> Iterator[Message]:
    """The messages of a piped input, each yielded as soon as its last line has arrived.

    One message a line (blank lines are skipped), except for a block that is clearly open: a code
    fence (up to the closing fence) or a line that opens a call or a list it does not close (up to
    the line that closes it). A block whose bracket never closes ends at the next blank line, or
    after ``MAX_BLOCK_LINES`` lines, with a note saying so."""
    held: list[str] = []
    fence = False
    for raw in lines:
        line = raw.rstrip("\r\n")
        if fence:
            if line.strip().startswith("```"):
                fence = False
                if held:
                    yield _message(held)
                held = []
            elif len(held) >= MAX_BLOCK_LINES:
                yield _message(held, f"the code block that starts with {_short(held[0])!r} has no closing ``` "
                                     f"within {MAX_BLOCK_LINES} lines; it was read up to here")
                held, fence = [], False
            else:
                held.append(line)
            continue
        if held:
            if not line.strip():
                yield _message(held, f"a bracket opened in {_short(held[0])!r} is never closed; the message "
                                     "was read up to the blank line")
                held = []
                continue
            held.append(line)
            if not open_brackets("\n".join(held)):
                yield _message(held)
                held = []
            elif len(held) >= MAX_BLOCK_LINES:
                yield _message(held, f"a bracket opened in {_short(held[0])!r} is not closed within "
                                     f"{MAX_BLOCK_LINES} lines; the message was read up to here")
                held = []
            continue
        if not line.strip():
            continue
        if line.strip().startswith("```"):
            fence = True
            rest = line.strip()[3:].strip()
            if rest and not rest.isidentifier():   # "```python" names the language; other text is code
                held.append(rest)
            continue
        if opens_block(line):
            held = [line]
            continue
        yield _message([line.strip() if line.strip().startswith("/") else line])
    if held:
        yield _message(held, "the input ended inside an open block; it was read as it stands")


def _short(text: str, size: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[:size - 1] + "…"


# -- history ------------------------------------------------------------------------------------

def history_path(environ) -> Path:
    """``$XDG_DATA_HOME/nlqa/history``, else ``~/.local/share/nlqa/history``."""
    base = environ.get("XDG_DATA_HOME") or os.path.join(environ.get("HOME") or os.path.expanduser("~"),
                                                        ".local", "share")
    return Path(base) / "nlqa" / "history"


class History:
    """readline's history, loaded from and appended to a file; never fails the conversation."""

    def __init__(self, path: Path | None, env: Env):
        self.path, self.env = path, env
        try:
            import readline
        except ImportError:                 # no line editing on this platform: still a chat
            readline = None
        self.readline = readline
        if readline is None or path is None:
            return
        readline.set_history_length(HISTORY_LENGTH)
        try:
            if path.exists() and not path.is_file():    # a FIFO or a device would block the prompt
                self.env.error(f"history not kept ({path} is not a regular file)")
                self.path = None
                return
            if path.exists():
                readline.read_history_file(str(path))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(exist_ok=True)
        except OSError as exc:
            self._disable(exc)

    def _disable(self, exc: OSError) -> None:
        self.env.error(f"history not kept ({self.path}: {exc.strerror or exc})")
        self.path = None

    def add(self, line: str) -> None:
        if self.readline is None or self.path is None or not line.strip():
            return
        try:
            self.readline.append_history_file(1, str(self.path))
            self.readline.set_history_length(HISTORY_LENGTH)
        except OSError as exc:
            self._disable(exc)


# -- showing replies ----------------------------------------------------------------------------

def show(reply, session, env: Env, echo: str | None = None) -> None:
    """A reply on stdout (notes on stderr for JSON); the echo and every note are cleaned like the
    answers (``render.clean``): no escape sequence, CR, BS or bidi control of the user's text
    reaches the terminal."""
    from ..render import clean, render_json
    from .ask import write_answer
    if reply is None:
        return
    notes = [clean(note) for note in reply.notes]
    if session.form == "json":                   # stdout keeps one JSON answer per line
        if notes:
            env.stderr.write("".join(note + "\n" for note in notes))
            env.stderr.flush()
        if reply.answer is not None:
            env.stdout.write(render_json(reply.answer, extraction=session.explain) + "\n")
            env.stdout.flush()
        return
    lines = ([f"> {clean(echo)}"] if echo is not None else []) + notes
    if session.form == "rich":
        from rich.text import Text
        console = env.console()
        if echo is not None:
            console.print(Text(lines.pop(0), style="nlqa.question"))
        for note in lines:
            console.print(Text(note, style="nlqa.notice"))
    elif lines:
        env.stdout.write("\n".join(lines) + "\n")
    if reply.answer is not None and reply.previous is not None and session.form in ("plain", "rich") \
            and reply.answer.status == "answered":
        write_brief(reply, session, env)
    elif reply.answer is not None:
        write_answer(reply.answer, session.form, env, explain=session.explain)
    if echo is not None or reply.answer is not None:
        env.stdout.write("\n")
    env.stdout.flush()


def write_brief(reply, session, env: Env) -> None:
    """A follow-up's answer in a few lines: what changed and the new total (nlqa.render.brief)."""
    from ..render.brief import brief_lines
    from ..render.common import CHECKS_TITLE
    from .ask import write_answer
    if session.explain:
        write_answer(reply.answer, "plain" if session.form == "plain" else "rich", env, explain=True)
        return
    lines = brief_lines(reply.answer, reply.previous)
    if session.form == "plain":
        env.stdout.write("\n".join(lines) + "\n")
        return
    from rich.text import Text
    console = env.console()
    headings = ("Changed", "New assumptions", CHECKS_TITLE)
    for line in lines:
        style = ("nlqa.heading" if line in headings else "nlqa.value" if line.startswith("Answer: ")
                 else "nlqa.muted" if line.startswith("(/full") else "")
        console.print(Text(line, style=style))


def respond(session, message: str, env: Env, args, echo: bool) -> None:
    """One message: handled and shown; an internal error is reported and the conversation goes on."""
    from ..chat import Reply
    try:
        reply = session.handle(message)
    except KeyboardInterrupt:
        env.error("cancelled")
        return
    except Exception as exc:  # noqa: BLE001 - one bad message must not end the conversation
        if getattr(args, "traceback", False):
            traceback.print_exc(file=env.stderr)
        note = (f"nlqa: internal error: {type(exc).__name__}: {exc}; the conversation goes on "
                "(rerun with --traceback to see where)")
        reply = Reply(notes=(note,))
    show(reply, session, env, echo=message if echo and reply is not None else None)


# -- the two ways in ----------------------------------------------------------------------------

def piped(session, env: Env, args) -> int:
    """Each message answered and flushed as soon as it has arrived (a coprocess can wait for it)."""
    for message in messages(env.stdin_lines()):
        if message.note:
            show_notes(env, session, [f"note: {message.note}"])
        respond(session, str(message), env, args, echo=session.form != "json")
        if session.done:
            break
    return ExitStatus.OK


def interactive(session, env: Env, args) -> int:
    history = History(None if args.no_history else history_path(env.environ), env)
    show_notes(env, session, ["nlqa chat: ask about a network, then follow up ('what if they were LSTMs?').",
                              "/help lists what you can say; Ctrl-D leaves."])
    while not session.done:
        try:
            line = input(PROMPT)
            if opens_block(line):              # a pasted call or list goes on; a blank line ends it
                while open_brackets(line):
                    more = input(MORE)
                    if not more.strip():
                        break
                    line += "\n" + more
        except EOFError:
            env.stdout.write("\n")
            break
        except KeyboardInterrupt:            # cancels the line being typed, not the conversation
            env.stdout.write("\n")
            continue
        history.add(line)
        respond(session, line, env, args, echo=False)
    env.stdout.flush()
    return ExitStatus.OK


def show_notes(env: Env, session, notes: list[str]) -> None:
    from ..chat import Reply
    show(Reply(notes=tuple(notes)), session, env)


def run(args: argparse.Namespace, env: Env) -> int:
    from ..chat import Session
    form = args.form or ("rich" if env.rich_output else "plain")
    session = Session(framework=args.framework, form=form, explain=args.explain)
    if env.stdin_isatty:
        return interactive(session, env, args)
    return piped(session, env, args)
