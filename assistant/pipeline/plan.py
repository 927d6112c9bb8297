"""The plan stage: `Planner.plan(question, history) -> QueryPlan`, before anything is retrieved.

It decides, by general mechanisms only:
- whether the turn stands alone or leans on earlier turns (a referring pronoun with no antecedent in
  the turn, an elliptical fragment such as "and the H20?", a quantifier with no noun), and if it
  leans, completes it from the previous question — the earlier subject is filled in only then;
- the parts of a compound question (a new question word or inverted auxiliary after a coordinator);
- per part, the answer type and focus from the grammar (`parse.read`), the entities it names
  (catalogue chips, named fleets, proper nouns), and its intent by nearest labelled exemplars
  (`intent.IntentClassifier`): a lookup, or a calculation by a tool family;
- for a calculation, its inputs or the input that is missing (the tools' own slot reading).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from assistant.conversation import user_turns
from assistant.language import detect_language
from assistant.pipeline.intent import LOOKUP, IntentClassifier
from assistant.prompts import load
from assistant.pipeline.parse import (FRAMING_CLAUSE, Bridge, Reading, asked_class, attribute_terms, bridge, bridge_classes,
                                      frames, lexicon, margin_only, parsed, pieces, read, split_parts,
                                      time_asked, topic)
from assistant.pipeline.support import DATE, MODEL_NUMBER, UNIT_SYMBOL, focus_forms, mentions, stem
from assistant.pipeline.types import Computation, Entity, Part, QueryPlan
from assistant.tools.catalogue import Catalogue
from assistant.tools.mentions import find_chip_mentions
from assistant.tools.named import NamedDefaults
from assistant.tools.quantities import Quantity, parse_quantities
from assistant.tools.router import route
from index.text import keyword_tokens

_LEADS_ON = re.compile(r"^\s*(?:and|but|also|what about|how about|what of|same for|then|et|mais|"
                       r"qu'en est-il|et pour|et en|et dans)\b", re.I)
_POSSESSIVE = {"its", "their", "his", "her"}
_KIND_DIMENSIONS = {"usd": "money", "power": "power", "energy": "energy", "gpu_hours": "time", "duration": "time",
                    "flops": "compute", "flops_rate": "compute"}  # quantity kinds (tools.quantities) → units' dimensions
_DEVICE_WORDS = r"gpus?|cards?|chips?|accelerators?|processors?|npus?"
# "Which chip was that": the small parser may not tag a final "that" a pronoun
_ENDS_ON_PRONOUN = re.compile(r"\b(?:is|was|are|were)\s+(?:it|that|this|they|those)\s*$", re.I)
_ORDINAL_REFERENCE = re.compile(r"\bthe (latter|former)\b", re.I)
MIN_CALCULATION_VOTE = 0.5  # a calculation label needs most of the nearest exemplars' weight
# A name found in more than a third of the passages (US, China, Nvidia here) frames the corpus rather
# than naming a subject: BM25 idf ln(1 + (N - n)/n) at n = N/3.
FRAME_IDF = math.log(3.0)


def _surface(entity: Entity) -> str:
    """How to write an entity back into a question: a chip by its catalogue name, others as written."""
    return entity.canonical if entity.kind == "chip" else entity.text


@lru_cache(maxsize=1)
def _attribution_stems() -> frozenset[str]:
    return frozenset(stem(v) for v in lexicon()["attribution_verbs"])


def _is_source(entity: Entity, text: str) -> bool:
    """The entity is who reports a figure, not what the figure is about: the subject of an attribution
    verb ("What TPP does Epoch AI give the 910B?", "What did Reuters report about DeepSeek?") or the
    object of "according to" / "per"."""
    at = text.find(entity.text)
    if at < 0:
        return False
    verbs = _attribution_stems()
    doc = parsed(text)
    token = next((t for t in doc if t.idx >= at), None)
    while token is not None and token.dep_ == "compound" and token.head.i > token.i:
        if stem(token.head.lower_) in verbs:
            return True  # "What did Reuters report …", parsed as the noun "Reuters report"
        token = token.head  # "Epoch AI": the name's head word carries its role
    if token is None:
        return False
    if token.dep_ == "nsubj" and stem(token.head.lower_) in verbs:
        return True
    return token.dep_ == "pobj" and token.head.lower_ in ("to", "per") and \
        (token.head.lower_ == "per" or token.head.head.lower_ == "according")


def _place(text: str, entities: list[Entity]) -> tuple[Entity, str] | None:
    """The entity a locative preposition introduces ("at Abilene", "in Memphis"), the last one written,
    with its phrase."""
    found = [(e, m.group(0)) for e in entities if e.kind != "chip" and not DATE.fullmatch(e.text)
             for m in [re.search(rf"\b(?:at|in|near|outside)\s+(?:the\s+)?{re.escape(e.text)}\b", text)] if m]
    return found[-1] if found else None


def _asks_source(text: str, entities: list[Entity]) -> bool:
    """The question asks what a source of its own stated: the main verb is an attribution verb whose
    subject is a name of the question ("What has SemiAnalysis estimated about …", "What did Reuters
    report on …"), not a figure to compute. An attribution verb in a condition ("If Epoch AI gives 700 W,
    how much …") is no such question."""
    root = next((t for t in parsed(text) if t.dep_ == "ROOT"), None)
    return root is not None and stem(root.lower_) in _attribution_stems() and \
        any(_is_source(e, text) for e in entities if e.kind != "chip")


def _subject(entities: list[Entity], text: str) -> Entity:
    """The entity a later pronoun most likely points at: the first that is neither a possessor
    ("China's third Big Fund" → the fund, not China) nor the source of a figure ("What TPP does
    Epoch AI give the 910B?" → the 910B, not Epoch AI), nor a date ("CNAS's June 2025 report" → CNAS)."""
    for entity in entities:
        at = text.find(entity.text)
        if at >= 0 and not re.match(r"['’]s\b", text[at + len(entity.text):]) and not _is_source(entity, text) \
                and not DATE.fullmatch(entity.text):
            return entity
    return entities[0]


def _chip_attribute(focus: str) -> bool:
    """The focus names an attribute the chip catalogue records (TDP, memory, bandwidth, interconnect,
    die area, TPP…): its owner is a chip, not the company or agency a question also names."""
    return bool(focus) and bool(set(focus_forms(focus)) & _chip_attribute_forms())


@lru_cache(maxsize=1)
def _chip_attribute_forms() -> frozenset[str]:
    """The stemmed forms of every attribute the catalogue screen knows, and of its interconnect."""
    terms = [t for words in load("screening.yaml")["attributes"].values() for t in words] + ["interconnect"]
    return frozenset(f for t in terms for f in focus_forms(t))


def _pronoun_subject(text: str, pronouns: list[str]) -> bool:
    """A personal pronoun is the subject (or the owner) in `text`: it stands for the thing asked about,
    whatever else the text names ("how many GB200 chips will it hold?")."""
    return any(t.lower_ in ("it", "its", "they", "their") and t.text in pronouns and t.dep_ in ("nsubj", "nsubjpass", "poss")
               for t in parsed(text)) or bool(_demonstrative(text))


def _bound_here(text: str, pronouns: list[str], entities: list[Entity]) -> bool:
    """Every possessive pronoun of the part follows a name of its own that owns or does something
    ("does Beijing's suspension of its measures run out", "when did Huawei ship its first 910C"): the
    pronoun points at that name, the nearest before it in its clause, not at an earlier part."""
    owned = [p for p in pronouns if p.lower() in _POSSESSIVE]
    if not owned or len(owned) != len(pronouns):
        return False
    doc = parsed(text)
    for pronoun in owned:
        at = next((t for t in doc if t.text == pronoun), None)
        if at is None:
            return False
        spans = [(start, start + len(e.text)) for e in entities if 0 <= (start := text.find(e.text)) < at.idx]
        # a token of such a name is a subject or a possessor, before the pronoun
        if not any(t.dep_ in ("nsubj", "nsubjpass", "poss") and any(a <= t.idx < b for a, b in spans)
                   for t in doc[: at.i]):
            return False
    return True


def _fronted_end(text: str) -> int:
    """Where a fronted adjunct ends: the offset of the comma that closes a leading prepositional or
    adverbial phrase ("For its end-use controls, how did the rule …", "After its release, did the H20 …");
    -1 when the text does not open with one. A pronoun inside it may point forward, to the main clause."""
    doc = parsed(text)
    words = [t for t in doc if not t.is_punct]
    if not words:
        return -1
    head = words[0]
    while head.head.i != head.i and head.head.dep_ != "ROOT":
        head = head.head
    if head.dep_ not in ("prep", "advcl", "npadvmod", "advmod") or head.head.dep_ != "ROOT":
        return -1
    span = {t.i for t in head.subtree}
    comma = next((t for t in doc if t.text == "," and t.i > words[0].i), None)
    if comma is None or any(t.i not in span for t in doc[words[0].i: comma.i]):
        return -1
    return comma.idx


@lru_cache(maxsize=1)
def _topic_change() -> re.Pattern[str]:
    """A topic-change marker at the start of a turn (answer_types.yaml `topic_change_leads`)."""
    leads = sorted(load("answer_types.yaml")["topic_change_leads"], key=len, reverse=True)
    return re.compile(rf"^\W*(?:{'|'.join(re.escape(w) for w in leads)})\b", re.I)


def _demonstrative(text: str) -> str:
    """A demonstrative phrase of a class noun in `text` ("that model's reasoning stage", "this other
    chip"): it points at a thing named earlier; "" when there is none. Read by adjacency, not by the
    parse, which often hangs the determiner on the possessed noun ("that model's stage")."""
    doc = parsed(text)
    for t in doc:
        if t.dep_ == "det" and t.lower_ in ("that", "this", "these", "those"):
            j = t.i + 1
            while j < len(doc) and doc[j].pos_ == "ADJ":
                j += 1
            if j < len(doc) and doc[j].lower_ in bridge_classes():
                return doc[t.i: j + 1].text
    return ""


def _other_dimensions(text: str) -> bool:
    """The text names an attribute the compare tool does not compute ("memory bandwidth", "die area")."""
    lower = " " + " ".join(re.findall(r"[a-z0-9/²]+", text.lower())) + " "
    return any(f" {term} " in lower for term in _uncomputed_terms())


@lru_cache(maxsize=1)
def _uncomputed_terms() -> frozenset[str]:
    """Glossary attribute terms the compare tool does not compute: not its dimensions, not in a group
    that names one ("power rating" ~ tdp), and not the names of accelerators themselves ("gpu", "ascend")."""
    dims = lexicon()["compare_dimensions"]
    groups = load("attributes.yaml")["groups"]
    computed = {t for group in groups if set(group) & dims for t in group}
    devices = {t for group in groups if set(group) & lexicon()["device_nouns"] for t in group}
    return frozenset(t for t in attribute_terms() - devices if not set(t.split()) <= dims and t not in computed)


def _asked_dimension(reading: Reading) -> str:
    """The dimension a number question asks for: its unit's ("how many megawatts" → power), or devices
    ("how many GPUs"); "" when the focus names none ("how much power", "what share")."""
    words = reading.focus.lower().split()
    if reading.answer_type != "number" or not words:
        return reading.unit if reading.answer_type == "number" else ""
    return reading.unit or lexicon()["units"].get(words[-1], "") or \
        ("devices" if words[-1] in lexicon()["device_nouns"] else "")


def _poses_calculation(text: str) -> bool:
    """The question asks for a calculation in its grammar: a hypothetical modal ("how much power would
    they draw?") or a calculation verb ("estimate the draw")."""
    verbs = _calculation_stems()
    return any((t.lower_ in ("would", "could", "might") and t.tag_ == "MD") or
               (t.pos_ == "VERB" and stem(t.lower_) in verbs) for t in parsed(text))


@lru_cache(maxsize=1)
def _calculation_stems() -> frozenset[str]:
    """The stems of the calculation verbs ("estimated" → "estim")."""
    return frozenset(stem(v) for v in lexicon()["calculation_verbs"])


def _states_figures(text: str) -> bool:
    """The text states a quantity to compute with: a measure with a unit, or a count that is not a year."""
    return any(q.kind != "number" or not (1900 <= q.value <= 2100 and float(q.value).is_integer())
               for q in parse_quantities(text)) if text else False


@lru_cache(maxsize=1)
def _glossary_groups() -> tuple[frozenset[str], ...]:
    return tuple(frozenset(g) for g in load("attributes.yaml")["groups"])


def _yields(family: str, focus: str) -> bool:
    """The family computes the attribute the focus names; True when the focus names no glossary
    attribute (a unit, "compute", nothing), which the dimension test then reads."""
    words = focus.lower().split()
    lower = f" {' '.join(words)} "
    # the glossary attributes the focus names: whole, by its head word, or by a term of several words
    # inside it ("dense INT8 rating" names the INT8 rating)
    named = [g for g in _glossary_groups() if " ".join(words) in g or (words and words[-1] in g)
             or any(" " in t and f" {t} " in lower for t in g)]
    if not named or family not in lexicon()["tool_yields"]:
        return True
    yielded = lexicon()["tool_yields"][family]
    return any(g & yielded for g in named)


@lru_cache(maxsize=1)
def _catalogue_words() -> frozenset[str]:
    return frozenset(w.lower() for w in load("screening.yaml")["catalogue_words"])


def _ranks_or_names_catalogue(text: str) -> bool:
    """The question ranks (a superlative: "the most memory", "the newest") or names the catalogue."""
    return any(t.tag_ in ("JJS", "RBS") or t.lower_ in _catalogue_words() for t in parsed(text))


def _chains(earlier: list[Part], outcomes: list[Any]) -> bool:
    """The scenario would redo an earlier part's rounded calculation inside its own ("How many full racks
    can it buy, and how many GPUs does that give it?": the GPUs are the whole racks' GPUs, not the
    unrounded product); such a part leans on the earlier result, which the solver does not carry."""
    used = set(outcomes[0].result["result"]["used"]) if outcomes and outcomes[0].result else set()
    return any(c.tool == "scenario" and c.inputs.get("rounding") and set(c.inputs.get("used", [])) <= used
               for p in earlier for c in p.computations)


@lru_cache(maxsize=1)
def _follow_up_words() -> frozenset[str]:
    """The words of a follow-up turn that say nothing of which figure it replaces (answer_types.yaml)."""
    return frozenset(load("answer_types.yaml")["follow_up_words"])


def _with_margins(parts: list[Part], texts: list[str]) -> tuple[list[Part], list[str]]:
    """The parts, each piece that asks only the margin of the part before it folded into that part:
    "Which came first, A or B? How many days apart were they?" is one order part with its interval
    asked in days; "Which is bigger, A or B, and by how much?" one comparison with its difference.
    `texts`: the pieces as the user wrote them, one per part; returned are the parts kept and their
    pieces, still one per part."""
    kept: list[Part] = []
    pieces_kept: list[str] = []
    for part, text in zip(parts, texts):
        margin = margin_only(text) if kept and kept[-1].answer_type in ("order", "comparison") else None
        if margin is None:
            kept.append(part)
            pieces_kept.append(text)
            continue
        before = kept[-1]
        if before.answer_type == "order":
            # an order is of time: its margin is the interval, in the unit asked ("any" when none is)
            before.interval = margin.lower() if margin.lower() in lexicon()["time_units"] else "any"
        else:
            before.margin = margin or "amount"
    return kept, pieces_kept


def _interval_from_lead(part: Part, text: str, statements: list[str]) -> None:
    """A part that asks a length of time between two events named before it becomes that interval:
    "Once A, how many weeks went by before B?" (a lead of time is the first event, what follows
    "before"/"until" the second); "A, and B: how many months apart were they?" (the two things the
    lead names). `text`: the part as the user wrote it; `statements`: what the question states first."""
    # (a calculation on the user's figures, "When a cluster draws 30 MW, how many days until it uses
    # 1 GWh?", is no interval between events)
    if part.answer_type not in ("number", "other") or part.interval or not statements or part.computations \
            or part.scenario:
        return
    asked = time_asked(text)
    margin = margin_only(text)
    if not asked and (margin is None or margin.lower() not in lexicon()["time_units"]):
        return
    if any(q.kind != "number" for q in parse_quantities(f"{statements[-1]} {text}")):
        return  # (read only for a part that asks a time: the plan stage runs on every question)
    lead = statements[-1].strip(" ,.:;")
    tail = re.search(r"\b(?:before|until|till)\s+(.+)$", text, re.I | re.S)
    leading = lexicon()["interval_leads"].match(lead)
    if leading and tail:
        events = [lead[leading.end():].strip(" ,"), tail.group(1).strip(" ?")]
    elif margin is not None and not leading:
        # (", and" first: "Nvidia and AMD's deal, and the H20 rule" names two things, not three; a bare
        # "and" only between two phrases of two words or more: "Nvidia and AMD launched chips" is one)
        halves = re.split(r",\s+and\s+", lead, maxsplit=1)
        halves = halves if len(halves) == 2 else re.split(r"\s+and\s+", lead, maxsplit=1)
        if len(halves) != 2 or any(len(h.split()) < 2 for h in halves):
            return
        events = [h.strip(" ,") for h in halves]
    else:
        return
    unit = asked if asked else (margin or "any")
    part.answer_type, part.interval, part.events = "order", unit.lower(), events


def _with_figures(previous: str, turn: str, rest: str) -> str:
    """The previous question with the turn's figures: each replaces the previous question's figure of
    the same kind, a bare number the one of its order of magnitude ("And with 200,000?" → 200,000
    chips instead of 115,000; "And at 1.4?" → a PUE of 1.4 instead of 1.2); a figure of a new kind is
    added ("What about at a PUE of 1.3?" → "... at a PUE of 1.3")."""
    old = parse_quantities(previous)
    out, added = previous, False

    def before(text: str, q: Quantity) -> set[str]:  # the content words written before a figure, in its clause
        return {w for w in re.findall(r"[a-z]+", re.split(r"[,.;:?]", text[: q.start].lower())[-1])[-4:]
                if w not in _follow_up_words()}

    for q in parse_quantities(turn):
        # of several earlier figures of its kind ("a hall has 30 MW and each rack draws 120 kW"), the one
        # written after the same words ("And if each rack draws 150 kW?"), else the nearest in size
        kin = [o for o in old if o.kind == q.kind and q.kind != "number" and o.value > 0]
        same = max(kin, key=lambda o: (len(before(previous, o) & before(turn, q)),
                                       -abs(math.log(q.value / o.value)) if q.value > 0 else 0.0), default=None)
        if q.kind == "number" and old and q.value > 0:
            # a bare figure ("And at 1.4?") stands for the earlier figure of its order of magnitude
            same = min((o for o in old if o.value > 0), key=lambda o: abs(math.log(q.value / o.value)), default=None)
        if same is not None:
            out = out.replace(same.text, q.text, 1)
        else:
            added = True
    return f"{out.strip().rstrip('?')} {rest}?" if added else out


class Planner:
    """Reads questions against the chip catalogue, the named fleets and the intent exemplars."""

    def __init__(self, classifier: IntentClassifier, catalogue: Catalogue | None,
                 defaults: NamedDefaults | None = None, idf: Callable[[str], float] | None = None,
                 english_terms: Callable[[str], str] = lambda text: "") -> None:
        self.classifier = classifier
        # premises are statements: they are classified against statements (premises.yaml), never
        # against the question exemplars, so adding either never shifts the other's votes
        self.premise_classifier = classifier.with_exemplars(load("premises.yaml"))
        self.catalogue = catalogue
        self.defaults = defaults if defaults is not None else NamedDefaults.load()
        self.idf = idf  # the keyword index's idf; None: every name counts as a subject
        self.english_terms = english_terms  # the glossary's English for a French question's terms

    def topical(self, entity: Entity) -> bool:
        """A chip or a named fleet always names a subject; a name does unless it is so common in the
        corpus that it only frames it (see FRAME_IDF)."""
        if not entity.topical:
            return False
        if entity.kind != "name" or self.idf is None:
            return True
        tokens = keyword_tokens(entity.text)
        return any(self.idf(t) >= FRAME_IDF for t in tokens) if tokens else False

    # ------------------------------------------------------------------ entities
    def entities(self, text: str, reading: Reading | None = None) -> list[Entity]:
        """Chips, named fleets and proper-noun names of `text`, in order of appearance, without repeats."""
        found: list[tuple[int, Entity]] = []
        spans: list[tuple[int, int]] = []
        if self.catalogue is not None:
            mentions_ = find_chip_mentions(text, self.catalogue)
            for m in mentions_:
                # (the words of the other chips named are not this one's: "the A100 and the H100 PCIe")
                own = "".join(" " if any(o is not m and o.start <= i < o.end for o in mentions_) else c
                              for i, c in enumerate(text))
                found.append((m.start, Entity(m.text, "chip", self._variant(m, own))))
                spans.append((m.start, m.end))
        for fleet in self.defaults.fleets:
            for pattern in fleet.patterns:
                match = pattern.search(text)
                if match:
                    found.append((match.start(), Entity(match.group(0), "fleet", fleet.key)))
                    spans.append(match.span())
                    break
        for m in MODEL_NUMBER.finditer(text):
            # a model number the catalogue lacks ("AMD's MI308") still names the chip asked about
            if not any(s <= m.start() < e for s, e in spans):
                found.append((m.start(), Entity(m.group(0), "name", m.group(0))))
                spans.append(m.span())
        for name in (reading.names if reading else []):
            words = name.split()
            while words and (words[0].lower().rstrip(".,;:") in lexicon()["units"] or UNIT_SYMBOL.match(words[0].rstrip(".,;:"))):
                words = words[1:]  # "MW", "GB", "(5) GW Hyperion", "kW. 10": a unit symbol is capitalised, not a name
            if not any(ch.isalpha() for ch in " ".join(words)):
                continue  # what is left is a number ("10"), never a name
            if not words or (len(words) == 1 and words[0].lower() in bridge_classes()):
                continue  # "GPU", "CEO": a class noun the parser tags as a name names no one thing
            name = " ".join(words)
            if len(words) == 2 and keyword_tokens(words[0]) and not self.topical(Entity(words[0], "name", words[0])):
                name = words[1]  # "US HBM": a framing name before a name only qualifies it
            at = text.find(name)
            if at < 0 or any(s <= at < e or at <= s < at + len(name) for s, e in spans):
                continue
            found.append((at, Entity(name, "name", name)))
        found.sort(key=lambda p: p[0])
        out: list[Entity] = []
        for i, (at, entity) in enumerate(found):
            end = at + len(entity.text)
            # "Meta's Prometheus", "Huawei's Ascend 920": the owner qualifies the named thing, which a
            # sentence must be about; the owner alone ("Meta's H100 fleet") does not answer for it
            owner = i + 1 < len(found) and entity.kind in ("name", "fleet") and \
                re.match(r"(?:['’]s|s?['’])?\s+(?:(?!(?:in|of|for|at|on|to|with|from|by|and|or)\s)[\w.,']+\s+){0,2}$",
                         text[end: found[i + 1][0]]) is not None and \
                re.search(r"['’]s\b|s['’](?=\s)", text[at: found[i + 1][0]]) is not None  # "X's Y", "Moore Threads' Y"
            # "one GeForce gaming card", "an Nvidia data-center GPU": a name before a device noun says what
            # kind of device, it is not a subject a sentence must name
            kind_of = entity.kind == "name" and re.match(rf"\s+(?:[\w-]+\s+){{0,2}}?(?:{_DEVICE_WORDS})\b",
                                                           text[end:], re.I) is not None
            if owner and entity.kind == "fleet":
                entity = Entity(entity.text.removesuffix("'s").removesuffix("’s"), "name",
                                entity.text.removesuffix("'s").removesuffix("’s"))
            if entity.kind == "name" and (owner or kind_of or not self.topical(entity)):
                entity = Entity(entity.text, entity.kind, entity.canonical, topical=False)
            if all(entity.canonical.lower() != e.canonical.lower() for e in out):
                out.append(entity)
        return out

    def _variant(self, mention: Any, text: str) -> str:
        """The catalogue chip a mention names, or the variant of it the words around it name ("the PCIe
        version of the A100" is the A100 PCIe, though "A100" alone is the SXM part): a catalogue chip
        whose names include the mention's words and whose own distinguishing word stands within a few
        words of it."""
        assert self.catalogue is not None
        said = mention.text.lower()
        near = text[max(0, mention.start - 30): mention.end + 30].lower()
        fitting = []
        for chip in self.catalogue:
            if chip.id == mention.chip.id or not any(re.search(rf"(?<![\w-]){re.escape(said)}(?![\w-])", n.lower())
                                                     for n in (chip.name, *chip.aliases)):
                continue
            extra = [w for w in re.findall(r"[a-z][\w-]{2,}", chip.name.lower())
                     if w not in mention.chip.name.lower() and w not in said]
            if extra and any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", near) for w in extra):
                fitting.append(chip.name)
        return fitting[0] if len(fitting) == 1 else mention.chip.name  # two variants fit: neither is meant

    def mask(self, text: str) -> str:
        """Chip names replaced by CHIP, as in the intent exemplars."""
        if self.catalogue is None:
            return text
        for m in reversed(find_chip_mentions(text, self.catalogue)):
            text = text[: m.start] + "CHIP" + text[m.end:]
        return text

    # ------------------------------------------------------------------ follow-ups
    def _leans_on_context(self, turn: str, reading: Reading, own: list[Entity]) -> str:
        """"strong" when the turn points back (a leading "and", an ellipsis, a bare quantifier, a
        pronoun before any name of its own): it is about the earlier subject. "weak" when it names no
        subject of its own but stands as a sentence: the earlier turn only widens retrieval. "" otherwise."""
        if _LEADS_ON.search(turn) or reading.fragment or reading.bare_quantifier or _ORDINAL_REFERENCE.search(turn):
            return "strong"
        if reading.pronouns:
            if not own:
                return "strong"
            # a pronoun that comes before every name of its own turn points back to an earlier turn
            first_pronoun = min(m.start() for p in reading.pronouns
                                for m in [re.search(rf"\b{re.escape(p)}\b", turn)] if m)
            first_name = min(turn.find(e.text) for e in own if turn.find(e.text) >= 0)
            fronted = _fronted_end(turn)
            # "For its end-use controls, how did the October 2022 rule …": a pronoun in a fronted phrase
            # points forward, to what the main clause names
            forward = 0 <= fronted < max(turn.find(e.text) for e in own) and \
                all(m.start() < fronted for p in reading.pronouns for m in re.finditer(rf"\b{re.escape(p)}\b", turn))
            if first_pronoun < first_name and not forward:
                return "strong"
        if not any(self.topical(e) for e in own):
            return "weak"  # "What cut would the US government take?" names no subject of its own
        return ""

    def _complete(self, turn: str, reading: Reading, own: list[Entity], previous: str,
                  language: str) -> tuple[str, str]:
        """(standalone, context): the turn completed from `previous` when that is safe, else the
        turn as it is with `previous` kept as context for retrieval."""
        earlier = read(previous, language)
        # the attribute the earlier question asked about ("the TPP of the H20") is not its subject
        before = [e for e in self.entities(previous, earlier) if e.text.lower() not in earlier.focus.lower().split()]
        leading = _LEADS_ON.match(turn)
        if leading and not any(self.topical(e) for e in own) and _states_figures(turn) and _states_figures(previous):
            # "And if each rack draws 150 kW instead?": the earlier question with the turn's figures, whether
            # or not it named anything ("A hall has 30 MW … How many full racks?" names no one thing)
            return _with_figures(previous, turn, turn[leading.end():].strip(" ,?")), ""
        if not before:
            return turn, previous
        reference = _ORDINAL_REFERENCE.search(turn)
        if reference and len(before) >= 2:
            # "the latter" is the last thing the earlier question named, "the former" the first
            named = before[-1] if reference.group(1).lower() == "latter" else before[0]
            return turn[: reference.start()] + _surface(named) + turn[reference.end():], ""
        if leading and not any(self.topical(e) for e in own) and _states_figures(turn):
            return _with_figures(previous, turn, turn[leading.end():].strip(" ,?")), ""
        if (reading.fragment or _LEADS_ON.search(turn)) and own:
            # "and the H20?" after "What is the TPP of the H100?" → the same question about the H20
            new = own[0]
            same_kind = [e for e in before if e.kind == new.kind] or (before if len(before) == 1 else [])
            if same_kind and not reading.focus:
                old = same_kind[0]
                return re.sub(re.escape(old.text), _surface(new), previous, count=1), ""
            return turn, previous
        if reading.pronouns and not reading.fragment:
            subject = _surface(_subject(before, previous))
            out = turn
            for pronoun in reading.pronouns:
                if pronoun.lower() in {"this", "that", "these", "those"}:
                    return turn, previous  # a demonstrative phrase ("that rule") names no subject to put back
                replacement = f"{subject}'s" if pronoun.lower() in _POSSESSIVE else subject
                out = re.sub(rf"\b{re.escape(pronoun)}\b", replacement, out, count=1)
            return out, ""
        return turn, previous

    def standalone(self, question: str, history: Sequence[dict[str, Any]] | None,
                   language: str) -> tuple[str, str, str]:
        """(standalone question, context, lean) for this turn, after resolving earlier turns in order;
        lean is "strong", "weak" or "" (see `_leans_on_context`)."""
        previous = ""
        for turn in user_turns(history):
            previous = self._resolve_turn(turn, previous, language)[0] or turn
        return self._resolve_turn(question, previous, language)

    def _resolve_turn(self, turn: str, previous: str, language: str) -> tuple[str, str, str]:
        if not previous:
            return turn, "", ""
        if _topic_change().match(turn):
            return turn, "", ""  # "Unrelated: …", "Turning to Stargate: …" announce that the turn stands alone
        reading = read(turn, language)
        own = self.entities(turn, reading)
        lean = self._leans_on_context(turn, reading, own)
        if not lean:
            return turn, "", ""
        if lean == "weak":
            return turn, previous, lean
        standalone, context = self._complete(turn, reading, own, previous, language)
        return standalone, context, lean

    # ------------------------------------------------------------------ parts
    def _part(self, text: str, language: str, earlier: list[Part], context: str, scenario: str = "",
              frame: str = "") -> Part:
        reading = read(text, language)
        entities = self.entities(text, reading)
        focus_words = set(reading.focus.lower().split())
        # "the Federal Register citation": a name inside the focus phrase qualifies the attribute
        entities = [e for e in entities if not (e.kind == "name" and set(e.text.lower().split()) <= focus_words)]
        # "… run on Nvidia or AMD accelerators?": the options are the answer, not what it is about
        options = " ".join(reading.alternatives).lower()
        entities = [Entity(e.text, e.kind, e.canonical, topical=False)
                    if e.kind == "name" and e.text.lower() in options.split() else e for e in entities]
        depends_on, slot = -1, ""
        # the part that names a thing the parts after it all ask about ("Which chip was that, how many
        # transistors does it carry, and how big is its die?")
        naming = next((i for i in range(len(earlier) - 1, -1, -1) if earlier[i].asks
                       and all(p.depends_on == i for p in earlier[i + 1:])), -1)
        if reading.pronouns and naming >= 0 and \
                (not entities or _pronoun_subject(text, reading.pronouns)):
            # "Which card, and what TPP has been reported for it?": the pronoun stands for what the
            # earlier part names, which only its evidence can tell
            depends_on, slot = naming, _demonstrative(text) or reading.pronouns[0]
        elif (reading.pronouns or reading.partitive) and earlier and earlier[-1].entities and \
                (not entities or _pronoun_subject(text, reading.pronouns)) and not _bound_here(text, reading.pronouns, entities):
            # "… and when was it set up?" — the pronoun points at the previous part's subject; so does a
            # pronoun that is the part's own subject ("… and how many GB200 chips will it hold?")
            antecedent = _subject(earlier[-1].entities, earlier[-1].text)
            chips = [e for e in earlier[-1].entities if e.kind == "chip"]
            if chips and _chip_attribute(reading.focus):
                antecedent = chips[0]  # "… launch the H800, and how fast is its link?": a chip's attribute
            entities = [antecedent, *entities]
            if entities:
                subject = _surface(entities[0])
                for pronoun in reading.pronouns:
                    text = re.sub(rf"\b{re.escape(pronoun)}\b",
                                  f"{subject}'s" if pronoun.lower() in _POSSESSIVE else subject, text, count=1)
        if "there" in reading.pronouns and earlier and depends_on < 0:
            # "… going up at Abilene, and how many did the FT count there?": the place the part before names
            place = _place(earlier[-1].text, earlier[-1].entities)
            if place is not None and place[0] not in entities:
                text = re.sub(r"\bthere\b", place[1], text, count=1)
                entities = [*entities, place[0]]
        # a scenario the user states ("A hall of 4,096 GPUs draws 400 W each. What is the facility load?")
        # makes a number question a calculation on those figures: the intent is read with it
        scenario = scenario if reading.answer_type in ("number", "yes_no", "comparison") or \
            (reading.answer_type == "other" and not reading.focus) else ""
        asked = f"{scenario} {text}".strip()
        english = self.english_terms(asked) if language != "en" else ""
        # the exemplars are English: a French question is classified by its terms' English, its
        # figures and its names ("how many projects approved 115 000 Xinjiang")
        voted = " ".join([english, *[q.text for q in parse_quantities(asked)], *[e.text for e in entities]]) \
            if english else asked
        vote = self.classifier.classify(self.mask(voted))
        # a calculation answers only the answer types its family yields (answer_types.yaml): a person,
        # a date, a definition, a list or an explanation is always answered from documents
        answers = lexicon()["tool_answer_types"].get(vote.label, set())
        intent = vote.label if vote.score >= MIN_CALCULATION_VOTE and reading.answer_type in answers else LOOKUP
        if intent == "compare" and reading.answer_type == "comparison" and reading.focus and \
                not set(reading.focus.lower().split()) & lexicon()["compare_dimensions"]:
            intent = LOOKUP  # "which has more memory": not a dimension the compare tool computes
        if intent == "compare" and reading.answer_type == "comparison" and not reading.focus and _other_dimensions(text):
            intent = LOOKUP  # "how many times as many transistors": an attribute the compare tool does not compute
        routed: dict[str, list[Any]] = {}  # tool text → its outcomes, so no text is routed twice
        # the figures of a scenario: the statements before the question, or the question's own when it
        # states them in one sentence ("How many racks can a 30 MW hall power if each draws 120 kW?")
        stated_here = scenario or (text if _states_figures(text) else "")
        if stated_here and reading.answer_type in ("number", "other") and self.catalogue is not None \
                and all(mentions(stated_here, e) for e in entities if self.topical(e)) \
                and (outcomes := self._computed(asked, "scenario")) and not _chains(earlier, outcomes):
            # the user states every figure ("… 70 KB per token, 64 requests of 32,000 tokens each. How much
            # memory?") and one product of all of them has the asked unit (tools/scenario/): that is the
            # calculation asked, whatever the exemplars' vote; a tool of the domain answers when none or
            # several products fit, or a figure has to come from the catalogue. A question about something
            # the statements do not name ("… How many days did the R1 training take?" after V3's figures)
            # is no calculation on them
            routed[asked], intent = outcomes, "scenario"
        if intent == LOOKUP and reading.answer_type == "comparison" and self.catalogue is not None \
                and _states_figures(asked):
            routed[asked] = route(asked, self.catalogue, {"compare"}, defaults=self.defaults)
            if any(o.name == "figure_ratio" for o in routed[asked]):
                # "… 1,250 TFLOPS, against 296. By what factor…?": a comparison of figures the user gives
                # is their ratio, whatever phrasings the exemplars hold
                intent = "compare"
        chips = [e for e in entities if e.kind == "chip"]
        if intent == LOOKUP and reading.answer_type == "comparison" and len(chips) >= 2 and self.catalogue is not None \
                and set(re.findall(r"[a-z]+", re.sub(r"['’]s\b", "", text.lower()))) & lexicon()["compare_dimensions"] - \
                {"number", "count", "chips", "gpus", "accelerators"} and not _other_dimensions(text):
            # two catalogue chips compared on what the compare tool computes (TPP, power): the catalogue's
            # figures, divided, whatever the wording ("how many times the 910B's TPP is the GB200's")
            outcomes = self._computed(asked, "compare")
            if outcomes:
                routed[asked], intent = outcomes, "compare"
        if intent != LOOKUP and (any(t.lower_ in lexicon()["reported_verbs"] for t in parsed(text))
                                 or _asks_source(text, entities)):
            # "how much computing power was it said to have?", "What has SemiAnalysis estimated about
            # DeepSeek's hardware?": what a source said is looked up, not computed
            intent = LOOKUP
        if intent not in (LOOKUP, "screen") and not _states_figures(asked) and \
                not any(e.kind in ("chip", "fleet") for e in entities):
            # nothing to compute on: no chip, no fleet of its own ("Meta's Prometheus" names Meta only as
            # an owner) and no figure the user states
            intent = LOOKUP
        if intent == LOOKUP and scenario and reading.answer_type == "number" and self.catalogue is not None:
            intent = self._computable(asked, reading, routed)
        if intent == LOOKUP and scenario and reading.answer_type in ("number", "other") and not reading.focus \
                and self.catalogue is not None:
            # "… 256 servers with eight GPUs each, 1,200 W per GPU, a PUE of 1.25. What will the facility
            # meter read?": an open question about figures the user states is the one calculation they allow
            intent = self._only_calculation(asked, routed)
        asks = asked_class(text) if language == "en" else ""
        answer_type = reading.answer_type
        listed = reading.focus.lower().split()[-1:] if reading.answer_type == "list" else []  # "Rank the chips …"
        if intent == LOOKUP and {asks, *listed} & lexicon()["device_nouns"] and self.catalogue is not None \
                and (_states_figures(text) or _ranks_or_names_catalogue(text)):
            # "Which accelerators have more than 100 GB of memory?": a threshold over the catalogue's
            # figures is a screen of the catalogue when the screen can read it, however it is worded; so is
            # a superlative ("which Huawei chip has the most memory?") and a question of the catalogue
            # itself ("which chips in the catalogue came out before 2021?")
            # (a lead that frames the question says whose chips: "Within Huawei's line-up, which chip …")
            outcomes = self._computed(f"{frame} {asked}".strip(), "screen")
            if outcomes:
                routed[f"{frame} {asked}".strip()], intent, answer_type = outcomes, "screen", "list"
        focus = reading.focus
        elided = reading.bare_quantifier and re.search(r"\bhow many\b", text, re.I)  # not "how much": an amount
        if not focus and (reading.partitive or elided) and earlier and earlier[-1].focus:
            # "What kind of memory …, and how much of it …?": "of it" measures what the part before asked
            # about; so does a count that leaves its noun out ("how many buildings did Ellison name, and how
            # many did the FT count?")
            focus = earlier[-1].focus
        part = Part(text=text, answer_type=answer_type, focus=focus, entities=entities,
                    premise=reading.premise, premise_stated=reading.premise_stated, intent=intent, scenario=scenario,
                    alternatives=list(reading.alternatives), predicate=reading.predicate,
                    intent_score=round(vote.scores.get(intent, 0.0), 3),
                    asks=asks, depends_on=depends_on, slot=slot, interval=reading.interval)
        if reading.unit:
            part.focus = part.focus or reading.unit
        if part.premise:
            premise_vote = self.premise_classifier.classify(self.mask(part.premise))
            if premise_vote.label in lexicon()["premise_tests"] and premise_vote.score >= MIN_CALCULATION_VOTE:
                part.premise_intent = premise_vote.label
        if intent != LOOKUP and self.catalogue is not None:
            # (a lead that frames a screen says whose chips it tests: "Within Huawei's line-up, which chip …";
            # other tools read their figures from the part and its scenario, never twice)
            frame = frame if intent == "screen" else ""
            tool_text = f"{text} {context}".strip() if not entities and context else f"{frame} {asked}".strip()
            outcomes = routed.get(tool_text)
            if outcomes is None and intent == "scenario":
                # the scenario was read with its statements first ("… costs US$16,900. How many whole cards?"),
                # the order its figures and its question take; it is run on that text again
                tool_text = asked
                outcomes = routed.get(tool_text)
            part.tool_text = tool_text
            for outcome in outcomes if outcomes is not None else route(tool_text, self.catalogue, {intent},
                                                                       defaults=self.defaults):
                inputs = dict(outcome.arguments)
                if outcome.name == "scenario" and outcome.result:
                    # which figures it used, and whether it rounded: a later part may lean on its result
                    r = outcome.result["result"]
                    inputs.update(used=r["used"], rounding=r["rounding"] if r["value"] != r["exact"] else "")
                part.computations.append(Computation(tool=outcome.name, inputs=inputs, missing=outcome.error or ""))
            if part.computations and all(c.missing for c in part.computations) and not _states_figures(asked) \
                    and not _poses_calculation(text):
                # "What's the power rating of the H20?" states no figure and poses no scenario: the rating is
                # the chip's stated attribute, which the sources give, not a calculation short of its count
                part.intent, part.computations = LOOKUP, []
            if part.intent == "screen" and all(c.missing for c in part.computations):
                # a screen is asked only where it can read what to test; the wording alone asks none
                part.intent, part.computations = LOOKUP, []
            if part.computations and not _yields(part.intent, reading.focus):
                # the focus is an attribute the family does not compute ("what PUE does Colossus run at?"
                # is no fleet's compute): the sources answer it
                part.intent, part.computations = LOOKUP, []
            dimension = _asked_dimension(reading)
            measured = [lexicon()["tool_dimensions"].get(c.tool, set()) for c in part.computations]
            if dimension and measured and all(m and dimension not in m for m in measured):
                # the tools would compute something other than what is asked ("how many GPUs would the
                # project have?" is no power estimate): the sources answer it
                part.intent, part.computations = LOOKUP, []
        return part

    def part(self, text: str, language: str = "en", context: str = "") -> Part:
        """One standalone part read on its own (used to re-read a multi-hop part once its slot is named)."""
        return self._part(text, language, [], context)

    def _names_thing(self, described: Bridge) -> bool:
        """The description already names its thing ("the H100 chips that Nvidia sold"): a chip or a
        named fleet before its class noun."""
        before = described.phrase[: described.phrase.lower().rfind(described.head)]
        return any(e.kind in ("chip", "fleet") for e in self.entities(before, read(before)))

    def _hop(self, described: Bridge, language: str, earlier: list[Part], context: str) -> Part:
        """The part that names a described thing: any sentence about the description's names may say
        it, so it asks no attribute and computes nothing."""
        hop = self._part(described.question, language, earlier, context)
        hop.answer_type = "person" if lexicon()["head_nouns"].get(described.head) == "person" else "other"
        hop.focus, hop.predicate, hop.intent, hop.computations = "", False, LOOKUP, []
        hop.asks = described.head
        return hop

    def _computed(self, asked: str, family: str) -> list[Any]:
        """The family's outcomes on `asked` when every one of them computed a result; [] otherwise."""
        if self.catalogue is None:
            return []
        outcomes = route(asked, self.catalogue, {family}, defaults=self.defaults)
        return outcomes if outcomes and all(o.result and not o.error for o in outcomes) else []

    def _only_calculation(self, asked: str, routed: dict[str, list[Any]]) -> str:
        """The one calculation family that computes something from the stated figures alone; LOOKUP
        when none does, or when several do (the question does not say which is meant)."""
        able = {family: outcomes for family in lexicon()["tool_units"] if (outcomes := self._computed(asked, family))}
        if len(able) != 1:
            return LOOKUP
        family, outcomes = next(iter(able.items()))
        routed[asked] = outcomes
        return family

    def _computable(self, asked: str, reading: Reading, routed: dict[str, list[Any]]) -> str:
        """The calculation family that computes the asked unit's dimension ("days", "GWh") from the
        figures the user stated, or LOOKUP: a number asked of stated figures is a calculation when some
        tool can compute it from them alone, however the question is worded."""
        dimension = _asked_dimension(reading)  # "how many GPUs can it afford": a count a tool may compute
        if not dimension and not re.match(r"\W*(?:\w+\s+)?how many\b", reading.text, re.I):
            # "… 15% of US$4.6 billion. How much does it get?", "… worth US$3.5 trillion … fall 17%. How much
            # market value is wiped out?": a focus that names no unit leaves the dimension to the one kind of
            # amount stated (a count, "how many data centres", is no amount)
            measured = {_KIND_DIMENSIONS.get(q.kind, "") for q in parse_quantities(asked)} - {""}
            dimension = measured.pop() if len(measured) == 1 else ""
        if not dimension or self.catalogue is None:
            return LOOKUP
        for family, dimensions in lexicon()["tool_units"].items():
            if dimension in dimensions and (outcomes := self._computed(asked, family)):
                routed[asked] = outcomes
                return family
        return LOOKUP

    def plan(self, question: str, history: Sequence[dict[str, Any]] | None = None) -> QueryPlan:
        language = detect_language(question)
        standalone, context, lean = self.standalone(question, history, language)
        texts = split_parts(standalone, language)
        _, statements = pieces(standalone, language)
        stated = " ".join(statements)
        parts: list[Part] = []
        # a leading clause of time ("When OpenAI lined up 4.5 GW with Oracle, …") dates the question; its
        # figures are the sources' facts, not inputs the user gives to compute with
        given = " ".join(x for x in statements if not FRAMING_CLAUSE.match(x))
        scenario = given if _states_figures(given) else ""
        # "The chip the FT found most in demand: how much memory did it launch with?": a described thing
        # set before the question as its topic is named first; the question's pronoun stands for it
        leads = {s: topic(s) for s in statements} if language == "en" else {}
        topics = [t for t in leads.values() if t is not None and not self._names_thing(t)]
        framing_leads = [s for s, described in leads.items() if described is None and frames(s)]
        framing = " ".join(framing_leads)
        for text in texts:
            described = bridge(text) if language == "en" else None
            pronouns = read(text, language).pronouns if topics and described is None else []
            if pronouns:
                parts.append(self._hop(topics.pop(), language, parts, context))
                part = self._part(text, language, parts, context, scenario)
                part.depends_on, part.slot = len(parts) - 1, pronouns[0]
                parts.append(part)
                continue
            if described is not None and not self._names_thing(described):
                # "What memory bandwidth does the GPU model that DeepSeek trained V3 on have?": first
                # name the thing described, then ask about it (see EvidenceGatherer.gather)
                parts.append(self._hop(described, language, parts, context))
                part = self._part(text, language, parts, context, scenario)
                part.depends_on, part.slot = len(parts) - 1, described.phrase
                parts.append(part)
                continue
            parts.append(self._part(text, language, parts, context, scenario, framing))
        if len(parts) == len(texts):
            parts, kept = _with_margins(parts, texts)
            for part, text in zip(parts, kept):
                _interval_from_lead(part, text, statements)
        for frame in framing_leads:
            # (every part keeps the whole framing, as its tools read it)
            # "For Operation Gatekeeper: how much money was wired in from China, and …?": what a verbless
            # lead names is what every part is about, whatever else a part names
            named = [e for e in self.entities(frame, read(frame, language)) if self.topical(e)]
            if FRAMING_CLAUSE.match(frame):
                # "After the Busan truce, …": a lead of time dates the parts; an answer need not name it
                named = [Entity(e.text, e.kind, e.canonical, topical=False) for e in named]
            for p in parts:
                p.frame = framing
                new = [e for e in named if e not in p.entities and not mentions(p.text, e)]
                if new and p.depends_on < 0:
                    p.entities = [*p.entities, *new]
                    if not p.computations:  # what its evidence is retrieved for
                        p.text = f"{p.text}, {' '.join(_surface(e) for e in new)}"
        if stated and parts:
            # what the user states frames the questions ("Meta's Prometheus and OpenAI's Abilene site: which
            # draws more?"): a part that names no subject of its own is about what the statement names
            stated_entities = self.entities(stated, read(stated, language))
            for p in parts:
                if not any(self.topical(e) for e in p.entities):
                    p.entities = [*p.entities, *[e for e in stated_entities if e not in p.entities]]
                    if p.asks and p.depends_on < 0 and not p.computations and \
                            (read(p.text, language).pronouns or _ENDS_ON_PRONOUN.search(p.text)):
                        # "… a slowed-down GPU it sold in China from November 2022. Which chip was that?":
                        # the statement is the description the part asks to name; it is what to retrieve
                        p.text = f"{p.text}: {stated}"
        for i, p in enumerate(parts[1:], start=1):
            # "What TDP does the B200 have, and how much memory?": a later part that names no subject
            # of its own asks about the earlier part's
            earlier = parts[i - 1].entities
            if not any(self.topical(e) for e in p.entities) and earlier and p.depends_on < 0:
                p.entities = [*p.entities, *[e for e in earlier if e not in p.entities]]
                if not p.computations:  # what its evidence is retrieved for
                    p.text = f"{p.text}, {' '.join(_surface(e) for e in earlier)}"
        if lean == "strong" and context and parts:
            # the turn points back: a part that names no subject of its own is about the earlier one
            earlier = self.entities(context, read(context, language))
            for p in parts:
                if not any(self.topical(e) for e in p.entities):
                    p.entities = [*p.entities, *[e for e in earlier if e not in p.entities]]
        # the earlier turn (a weak lean: it only widens retrieval) and the statement go with the question
        context = " ".join(x for x in (stated, context) if x)
        quantities = [{"kind": q.kind, "value": q.value, "unit": q.unit, "text": q.text}
                      for q in parse_quantities(standalone)]
        return QueryPlan(question=question, standalone=standalone, language=language, follow_up=bool(lean),
                         parts=parts, quantities=quantities, context=context)
