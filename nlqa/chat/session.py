"""A conversation: the last network is remembered and follow-ups edit it instead of starting over.

``Session.handle(message)`` turns one message into a :class:`Reply` (an Answer and/or notes) and
never prints; ``nlqa.cli.chat`` reads the messages and renders the replies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..core.spec import FRAMEWORKS, NetworkSpec
from ..resources import load_toml
from . import grammar as followups
from .edits import CannotApply, Reask, Result, State, apply

if TYPE_CHECKING:
    from ..answer import Answer
    from ..reader.extraction import Extraction

FORMS = ("rich", "plain", "json", "markdown")
EXAMPLE = ("A neural network has two recurrent layers of 6 neurons each. If the input is of size (3,1) "
           "and the output is a scalar (dense layer), find the number of trainable parameters.")
RESTATABLE = ("total_parameters", "trainable_parameters", "non_trainable_parameters", "weights", "biases",
              "connections", "layer_parameters")
COMMANDS = (
    ("/help", "this help"),
    ("/json, /plain, /rich, /markdown", "how answers are shown"),
    ("/framework NAME", "count with keras, pytorch or textbook conventions (/framework auto: as asked)"),
    ("/full", "show the last answer in full, with its whole derivation (follow-ups are shown briefly)"),
    ("/explain", "show (or stop showing) what the reader understood before each answer"),
    ("/reset", "forget the last network"),
    ("/quit", "leave (or Ctrl-D)"),
)


@dataclass
class Reply:
    """What nlqa says to one message: notes (one line each) and usually an Answer."""

    answer: Answer | None = None
    notes: tuple[str, ...] = ()
    previous: Answer | None = None     # set for a follow-up: shown briefly, as what changed since it


@dataclass
class Context:
    """The network the conversation is about, as last answered."""

    state: State
    extraction: Extraction
    source: str | None = None     # the question as typed, while no follow-up has edited it

    @classmethod
    def of(cls, x: Extraction) -> Context:
        network_quantity = x.quantity if x.layer is None and x.quantity != "layer_parameters" \
            else "total_parameters"
        return cls(State(x.spec, x.quantity, x.layer, network_quantity), x, x.question)


def describable(spec: NetworkSpec) -> bool:
    kinds = load_toml("templates.toml")["kinds"]
    return spec.input is not None and len(spec.input) in (1, 2) and bool(spec.layers) and all(
        layer.kind in kinds and not layer.implicit for layer in spec.layers)


def restate(state: State, part: str = "question") -> str | None:
    """The network (and question) in nlqa's own words, which it reads back the same way; None when
    the network has layers the templates cannot write. ``part``: question | statement | ask."""
    from ..related import describe
    spec = state.spec
    if not describable(spec) or (part != "statement" and state.quantity not in RESTATABLE):
        return None
    t, r = load_toml("templates.toml"), followups.grammar().section("restate")
    words = {"network": describe(spec), "framework": t["frameworks"].get(spec.framework, ""),
             "quantity": t["quantities"].get(state.quantity, "parameters"), "layer": state.layer}
    key = part if part == "statement" else ("layer_" if state.layer is not None else "") + part
    return r[key].format(**words)


def aspects(a: NetworkSpec, b: NetworkSpec) -> set[str]:
    """What differs between two specs: framework, input, layers, or the names of layer fields."""
    out = set()
    if a.framework != b.framework:
        out.add("framework")
    if tuple(a.input or ()) != tuple(b.input or ()):
        out.add("input")
    if len(a.layers) != len(b.layers):
        out.add("layers")
        return out
    for x, y in zip(a.layers, b.layers):
        out |= {k for k, v in x.to_dict().items() if y.to_dict().get(k) != v}
        out |= {k for k in y.to_dict() if k not in x.to_dict()}
    return out


class Session:
    """One conversation. ``framework`` is the --framework override for new questions."""

    def __init__(self, framework: str | None = None, form: str = "plain", explain: bool = False):
        self.framework = framework
        self.form = form
        self.explain = explain
        self.current: Context | None = None
        self.pending: Extraction | None = None   # the last question that needs clarification
        self.last: Answer | None = None
        self.turn = 0
        self.done = False

    # -- one message ------------------------------------------------------------------------
    def handle(self, message: str) -> Reply | None:
        message = message.strip()
        if not message:
            return None
        if message.startswith("/"):
            return self.command(message)
        self.turn += 1
        if re.fullmatch(r"#?\d{1,2}", message):
            return self.related(int(message.lstrip("#")))
        found = followups.match(message)
        if found is not None:
            return self.follow(found)
        return self.question(message)

    def _answered(self, x: Extraction, notes: tuple[str, ...] = (), previous: Answer | None = None) -> Reply:
        """Answer a new question: answered, it becomes the context; needing clarification, the
        pending question (a follow-up may fill its gap); unsupported, it only clears the context.
        ``previous``: the answer a follow-up changes (the reply is then shown briefly)."""
        from ..answer import answer_from
        from ..items import separate_items   # separate layers listed as items, asked about each
        whole = answer_from(x, id=self.turn)
        items = separate_items(x.question, self.framework, whole, self.turn) if previous is None else None
        if items is not None:   # items have no one network for follow-ups to change
            self.current, self.pending, self.last = None, None, items
            return Reply(items, notes)
        result = whole
        self.current = Context.of(x) if result.status == "answered" else None
        self.pending = x if result.status == "needs_clarification" else None
        self.last = result
        return Reply(result, notes, previous if result.status == "answered" else None)

    def _cannot(self, message: str, reason: str, status: str = "unsupported",
                missing: tuple[str, ...] = ()) -> Reply:
        from ..answer import Answer
        kept = " The last network is kept." if self.current is not None else ""
        text = f"Cannot apply '{message}': {reason}.{kept}"
        return Reply(Answer(message, status, message=text, missing=missing, id=self.turn))

    def question(self, message: str) -> Reply:
        """A message no follow-up matched: a new question, or something to re-read with the network."""
        from ..reader.extract import extract
        x = extract(message, self.framework)
        if self._finds_network(x) or (self.current is None and self.pending is None):
            return self._answered(x)
        if not x.mentions:
            miss = followups.near_miss(message)
            reason = (f"nlqa does not know '{miss.text}' as {miss.slot.what}" if miss else
                      "nlqa did not understand it as a change to the last network or as a new question "
                      "(/help lists the follow-ups it understands)")
            return self._cannot(message, reason)
        if self.pending is not None and self.current is None:
            return self.reread(self.pending.question, message, message)
        return self.reask(message, asks=x.quantity is not None)

    @staticmethod
    def _finds_network(x: Extraction) -> bool:
        """Whether a message describes a network of its own (then it is a new question)."""
        table = followups.grammar().section("new_question")
        labels, not_ids = set(table.get("labels", ())), set(table.get("not_network_ids", ()))
        return x.spec is not None or bool(x.understood) or any(label in labels and ident not in not_ids
                                         for label, ident, _ in x.mentions)

    # -- follow-ups -------------------------------------------------------------------------
    def follow(self, found: followups.Match) -> Reply:
        message = found.message
        if self.current is None:
            if self.pending is not None:
                fill = found.fill()
                if fill:
                    return self.reread(self.pending.question, fill, message)
                missing = "; ".join(self.pending.missing) or "a detail"
                return self._cannot(message, f"the last question still lacks {missing}; give that first "
                                             "(e.g. 'the input has 10 features')", "needs_clarification",
                                    tuple(self.pending.missing))
            return self._cannot(message, "there is no network yet to change; ask a full question first, "
                                         f"e.g. '{EXAMPLE}'", "needs_clarification",
                                ("a network to apply the follow-up to",))
        explaining = any(edit["op"] == "explain" for edit in found.edits)
        if explaining and len(found.edits) == 1 and self.last is not None:
            return Reply(self.last, ("Follow-up: the whole derivation",))
        try:
            result = apply(self.current.state, found.edits)
        except Reask:
            return self.reask(message, asks=True)
        except CannotApply as exc:
            return self._cannot(message, str(exc))
        x = self.edited(result, found, message)
        from ..answer import answer_from
        answer = answer_from(x, id=self.turn)
        if answer.status != "answered":
            return self._cannot(message, f"nlqa could not count the changed network: {answer.message}")
        previous, self.last = self.last, answer
        self.current = Context(result.state, x)
        return Reply(answer, ("Follow-up: " + "; ".join(result.notes),), None if explaining else previous)

    def edited(self, result: Result, found: followups.Match, message: str) -> Extraction:
        """The last extraction with the edited network, its alternatives edited the same way and
        the assumptions the follow-up settled left out."""
        from ..core.conventions import convention
        from ..reader.extraction import Alternative
        base, state = self.current.extraction, self.current.state
        alternatives = []
        for alt in base.alternatives:
            if alt.spec is None:
                continue
            differs = aspects(alt.spec, base.spec) | ({"quantity"} if alt.quantity else set())
            if differs & result.settles:
                continue
            try:
                edited = apply(replace(state, spec=alt.spec), found.edits)
            except (CannotApply, Reask):
                continue
            alternatives.append(Alternative(alt.reading, edited.state.spec, alt.quantity))
        words = followups.grammar().section("settled_assumptions")
        assumptions = [a for a in base.assumptions
                       if not any(w in a for aspect in result.settles for w in words.get(aspect, ()))]
        source = base.framework_source
        if "framework" in result.settles:
            fw = result.state.spec.framework
            assumptions.append(f"counted with {convention(fw).description} (follow-up)")
            source = "follow-up"
        question = restate(result.state) or f"{base.question} [follow-up: {message}]"
        return replace(base, question=question, spec=result.state.spec, quantity=result.state.quantity,
                       layer=result.state.layer, status="answered", missing=[], assumptions=assumptions,
                       alternatives=alternatives, framework_source=source)

    def reask(self, message: str, asks: bool) -> Reply:
        """Re-read the network's description with the message added ("how much memory in fp16?");
        a message that asks nothing of its own gets the last question after it."""
        ctx = self.current
        text = restate(ctx.state, "statement") if ctx.source is None else ctx.source
        if text is None:
            return self._cannot(message, "nlqa cannot write this changed network back as a question to add "
                                         "that to; ask it as a full question")
        addition = message
        if not asks and ctx.source is None and restate(ctx.state, "ask"):
            addition = message.rstrip(" ?.!") + ". " + restate(ctx.state, "ask")
        return self.reread(text, addition, message)

    def _unchanged(self, x: Extraction) -> bool:
        """Whether a re-read found the same network and question as the context (nothing applied)."""
        state = self.current.state if self.current is not None else None
        return (state is not None and x.spec is not None and not aspects(x.spec, state.spec) - {"name"}
                and (x.quantity, x.layer) == (state.quantity, state.layer))

    def reread(self, text: str, addition: str, message: str) -> Reply:
        """Read ``text`` with ``addition`` after it. Answered, it becomes the context; otherwise the
        answer says why and the network (or the pending question) is kept."""
        from ..answer import answer_from
        from ..reader.extract import extract
        addition = addition.strip()
        if addition and addition[-1] not in ".?!":
            addition += "?" if self.current is not None else "."
        x = extract(f"{text} {addition}", self.framework)
        if x.status == "answered":
            if self._unchanged(x):
                return self._cannot(message, "nlqa read no change to the network or to what is asked in it")
            return self._answered(x, previous=self.last if self.current is not None else None)
        result = answer_from(x, id=self.turn)
        if self.current is None and x.status == "needs_clarification":
            self.pending = x                  # the same gap, or the next one once this one is filled
        self.last = result
        return Reply(result, ("The last network is kept.",) if self.current is not None else ())

    def related(self, number: int) -> Reply:
        listed = self.last.related_questions if self.last is not None else ()
        if not 1 <= number <= len(listed):
            reason = (f"the last answer listed {len(listed)} related question{'s' if len(listed) != 1 else ''}"
                      if listed else "the last answer listed no related questions" if self.last is not None
                      else "no related questions have been listed yet")
            return self._cannot(str(number), reason, "needs_clarification")
        from ..reader.extract import extract
        question = listed[number - 1]
        return self._answered(extract(question, self.framework), (f"Related question {number}: {question}",))

    # -- commands ---------------------------------------------------------------------------
    def command(self, message: str) -> Reply:
        name, _, arg = message.partition(" ")
        name, arg = name.lower(), arg.strip()
        if name in ("/quit", "/exit", "/q", "/bye"):
            self.done = True
            return Reply()
        if name in ("/help", "/?", "/h"):
            return Reply(notes=tuple(self.help()))
        if name[1:] in FORMS:
            self.form = name[1:]
            return Reply(notes=(f"Answers are shown as {self.form}.",))
        if name == "/explain":
            self.explain = not self.explain
            return Reply(notes=("The reader's view is shown before each answer." if self.explain
                                else "The reader's view is no longer shown.",))
        if name == "/full":
            if self.last is None:
                return Reply(notes=("No answer yet; ask a question first.",))
            return Reply(self.last, ("The last answer in full:",))
        if name == "/reset":
            self.current = self.pending = self.last = None
            return Reply(notes=("Forgot the last network; ask a new question.",))
        if name == "/framework":
            return self.set_framework(arg.lower())
        return Reply(notes=(f"Unknown command {name}; /help lists the commands.",))

    def set_framework(self, name: str) -> Reply:
        if not name:
            return Reply(notes=(f"Framework: {self.framework or 'as each question says (textbook by default)'}.",))
        if name in ("auto", "default", "none", "off"):
            self.framework = None
            return Reply(notes=("Framework: as each question says (textbook by default).",))
        if name not in FRAMEWORKS:
            return Reply(notes=(f"Unknown framework {name!r}; choose one of {', '.join(FRAMEWORKS)} (or auto).",))
        self.framework = name
        note = f"Framework: {name} for the following questions."
        if self.current is None:
            return Reply(notes=(note,))
        self.turn += 1
        edit = followups.FollowUp("/framework", (), ({"op": "set_framework", "framework": name},))
        reply = self.follow(followups.Match(edit, {}, f"/framework {name}"))
        return Reply(reply.answer, (note,) + reply.notes)

    def help(self) -> list[str]:
        lines = ["Ask a question about a network, e.g.:", f"  {EXAMPLE}",
                 "then follow up on it; nlqa changes the last network instead of starting over:"]
        for _, examples in followups.examples():
            lines.append("  " + " · ".join(examples))
        lines += ["A number (e.g. 2) asks the related question with that number.",
                  "A new full question starts a new network.", "Commands:"]
        width = max(len(c) for c, _ in COMMANDS)
        lines += [f"  {c.ljust(width)}  {h}" for c, h in COMMANDS]
        lines.append("Ctrl-C cancels the line, Ctrl-D leaves.")
        return lines

