"""Whether a sentence can answer a part: it must carry the asked answer type, name the asked
attribute (the focus, in the question's words or a glossary synonym) and be about the asked
entities. These tests decide abstention by what is asked, instead of by one score threshold.

Word classes come from data files (`answer_types.yaml`, `attributes.yaml`); the tests are the same
for every question.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

import snowballstemmer

from assistant.pipeline.parse import lexicon, parsed
from assistant.pipeline.types import Entity, Part
from assistant.prompts import load
from index.text import keyword_tokens

_LOCAL = threading.local()  # a Snowball stemmer keeps state: one per thread (the UI answers concurrently)


def _stemmer() -> Any:
    if not hasattr(_LOCAL, "stemmer"):
        _LOCAL.stemmer = snowballstemmer.stemmer("english")
    return _LOCAL.stemmer

_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
DATE = re.compile(rf"\b(?:(?:{_MONTHS})\.?\s+(?:\d{{1,2}},?\s+)?(?:19|20)\d\d|\d{{1,2}}\s+(?:{_MONTHS})\s+(?:19|20)\d\d|"
                  rf"(?:19|20)\d\d-\d\d(?:-\d\d)?|(?:early|mid|late|end of)[- ](?:19|20)\d\d|(?:19|20)\d\d)\b", re.I)
# "July 24": a day of the month, not a figure
DAY_OF_MONTH = re.compile(rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}\b", re.I)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*(?:\s*(?:%|per ?cent|million|billion|trillion|thousand))?", re.I)
YEAR = re.compile(r"^(?:19|20)\d\d$")
_YEARS = re.compile(r"\b(?:19|20)\d\d\b")
_NAME = re.compile(r"\b[A-Z][\w&'’-]+")
_LOCATIVE = re.compile(r"\b(?:in|near|at|outside|around|through|via)\s+(?:the\s+)?([A-Z][\w-]+)(?:,\s+([A-Z][\w-]+))?")
# an accelerator's model number: letters then digits ("MI308", "H20", "BR100"), or digits with a suffix
# ("910B"); not a filing's, a quarter's or a half-year's number ("FR 4544", "Q4", "H1"), nor a figure with
# its unit written on ("700W", "141GB")
MODEL_NUMBER = re.compile(r"(?<![\w-])(?!(?:FY|Q|EO|ISO|GPT|COVID|FR|RIN|CY)\d|H[12](?![\w-]))"
                          r"(?:[A-Z]{1,4}\d{2,4}[A-Z]{0,3}|\d{3,4}(?!(?:[KMGT]?W|[KMGT]?Wh|[KMGT]B|NM|MM)(?![\w-]))[A-Z]{1,2})"
                          r"(?![\w-])")
# an SI-prefixed unit symbol ("W", "MW", "GB", "TB/s", "kWh"): capitalised, but never a name
UNIT_SYMBOL = re.compile(r"^(?:[kKMGTP]?(?:B|W|Wh|bit)|[KMGTP]B/s|[KMGTP]?Hz|mm²|mm2)$")
_BEFORE_MODEL = re.compile(r"\s+" + MODEL_NUMBER.pattern)  # a brand's model after it ("Nvidia H100")
_BASED = re.compile(r"\b([A-Z][\w]+)-(?:based|headquartered)\b")
MONTH_NAMES = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December"}
FUNCTION_CAPITALS = {"The", "A", "An", "In", "On", "At", "By", "For", "From", "As", "It", "Its", "This", "That",
                      "These", "Those", "Under", "After", "Before", "Since", "When", "While", "If", "But", "And", "So",
                      "With", "According", "Both", "Each", "Some", "No", "Not", "There", "They", "He", "She", "We"}


@lru_cache(maxsize=8192)
def _stems(text: str) -> tuple[str, ...]:
    words: list[str] = []
    for token in keyword_tokens(text):
        words.append(token)
        if "-" in token:
            words.extend(p for p in token.split("-") if len(p) > 1)
    return tuple(_stemmer().stemWords(words))


def stems(text: str) -> list[str]:
    """Content words of `text`, Snowball-stemmed ("smuggling", "smuggled" → "smuggl"); a hyphenated
    word also gives its parts ("China-specific" → "china-specif", "china", "specif")."""
    return list(_stems(text))


def stem(token: str) -> str:
    """The Snowball stem of one keyword token."""
    return str(_stemmer().stemWord(token))


@lru_cache(maxsize=1)
def synonym_groups() -> list[set[str]]:
    """Each group as a set of stemmed phrases ("thermal design power" → "thermal design power")."""
    return [{" ".join(stems(term)) for term in group} for group in load("attributes.yaml")["groups"]]


@lru_cache(maxsize=1)
def _stem_safe_groups() -> list[set[str]]:
    """Each group's stemmed phrases that keep every word of the term ("thermal design power", not the
    "go" of "go for")."""
    return [{" ".join(stems(term)) for term in group if len(stems(term)) == len(term.split())}
            for group in load("attributes.yaml")["groups"]]


@lru_cache(maxsize=8192)
def _stem_text(text: str) -> str:
    """" word word … " of stems, for phrase tests; cached, since one passage is tested for every sentence."""
    return " " + " ".join(stems(text)) + " "


def _content_stems(focus: str) -> list[str]:
    """The stems of the focus's words that are not generic ("numbers", "the reasoning")."""
    generic = {s for g in lexicon()["generic"] for s in stems(g)}
    return [w for w in stems(focus) if w not in generic]


@lru_cache(maxsize=2048)
def focus_forms(focus: str) -> list[str]:
    """Ways the focus may be written, as stemmed phrases: its own content words, and the same with a
    glossary synonym in place of the words it matches ("electricity price" → "electricity cost";
    "thermal design power" → "tdp"). Empty when the focus is generic ("number", "share")."""
    # a glossary term keeps its generic words ("power rating" is the TDP, not any "power")
    whole_term = any(" ".join(stems(focus)) in group for group in synonym_groups())
    words = stems(focus) if whole_term else _content_stems(focus)
    if not words:
        return []
    own = " ".join(words)
    forms = [own]
    # a focus that is itself a glossary term ("power rating") is replaced whole; only one that is not
    # has its glossary parts replaced ("electricity price" → "electricity cost")
    whole = any(own in group for group in synonym_groups())
    for group, kept in zip(synonym_groups(), _stem_safe_groups()):
        for term in group:
            if term and (term == own if whole else f" {term} " in f" {own} "):
                # (an alternative whose small words the stemmer drops, "go for" → "go", "list for" →
                # "list", would match any "go" or "Entity List": _raw_forms matches it as written)
                forms += [f" {own} ".replace(f" {term} ", f" {alt} ").strip() for alt in kept if alt and alt != term]
    # a replacement that repeats a word ("power rate rate") is no way of writing the focus
    return list(dict.fromkeys(f for f in forms if len(set(f.split())) == len(f.split())))


def _written(form: str, text: str) -> bool:
    """All words of a short form are in the text; a long one (3+ words) needs its head and all but one."""
    words = form.split()
    present = sum(f" {w} " in text for w in words)
    return f" {words[-1]} " in text and (present == len(words) or (len(words) >= 3 and present >= len(words) - 1))


@lru_cache(maxsize=2048)
def _other_attributes(focus: str) -> tuple[str, ...]:
    """Glossary attributes that modify one of the focus's forms with a head of their own ("memory
    bandwidth" for "memory", "power usage effectiveness" for "power"): another attribute, not the focus."""
    forms = set(focus_forms(focus))
    return tuple(sorted({term for group in synonym_groups() for term in group if term not in forms
                         and any(f" {form} " in f" {' '.join(term.split()[:-1])} " for form in forms)},
                        key=len, reverse=True))


@lru_cache(maxsize=2048)
def _raw_forms(focus: str) -> tuple[re.Pattern[str], ...]:
    """Glossary synonyms of the focus made of small words the stemmer drops ("up to", "at least" for
    "ceiling", "minimum"), matched as written: their stems would say nothing."""
    own = " ".join(_content_stems(focus))  # as focus_forms reads it
    if not own:
        return ()
    raw: list[re.Pattern[str]] = []
    for group in load("attributes.yaml")["groups"]:
        if any(" ".join(stems(t)) == own for t in group):
            raw += [re.compile(rf"\b{re.escape(t)}\b", re.I) for t in group if len(stems(t)) < len(t.split())]
    return tuple(raw)


def has_focus(sentence: str, focus: str, heading: str = "", derived: bool = False) -> bool:
    """The sentence (or its section heading) names the focus in one of its forms, or the focus is
    generic. The focus written only as the modifier of another attribute does not count: "4 TB/s
    of memory bandwidth" does not say how much memory a chip has. With `derived` (a focus that is a
    verb: "by when did exporters have to comply"), a word derived from a one-word form counts too
    ("compliance", "approval"): its stem begins with the verb's stem of five letters or more."""
    forms = focus_forms(focus)
    if not forms:
        return True
    text = _stem_text(f"{sentence} {heading}")
    for other in _other_attributes(focus):
        text = text.replace(f" {other} ", " | ")
    if any(_written(form, text) for form in forms) or any(p.search(sentence) for p in _raw_forms(focus)):
        return True
    return derived and any(len(form) >= 5 and " " not in form and f" {form}" in text for form in forms)


@lru_cache(maxsize=1)
def _light_stems() -> frozenset[str]:
    """The stems of the light verbs ("put", "putting" → "put")."""
    return frozenset(stem(v) for v in lexicon()["light_verbs"])


def names_event(sentence: str, verb: str) -> bool:
    """The sentence names an event by its verb or a glossary form of it. A phrasal verb built on a
    light verb ("put out") counts only in its other forms ("released"): its stem alone ("put") says
    nothing."""
    forms = focus_forms(verb)
    if stem(verb.split()[0].lower()) in _light_stems():  # "put", "putting", "puts"
        forms = forms[1:]
    if not forms:
        return False
    text = _stem_text(sentence)
    return any(_written(form, text) for form in forms)


_AGENT = re.compile(r"([\w-]+),?\s+by\s+(?:the\s+)?(?:[A-Z]\.\s*)?([A-Z][\w'’-]+)")


def names_agent(sentence: str, question: str) -> bool:
    """The sentence names who did what the question asks about in a by-phrase after one of the
    question's own words ("who hosted …?" ← "hosted by K. Oanh Ha"; "who wrote the report?" ← "a
    report by Grunewald and Fist"): the answer to a "who <verb>" question written without that verb.
    "backed by the government" does not answer "who runs it"; a date ("by May 2025") is no agent."""
    asked = set(stems(question))
    return any(stem(m.group(1).lower()) in asked and m.group(2) not in MONTH_NAMES
               for m in _AGENT.finditer(sentence))


# a count question with no unit of measure ("how many H800s", not "how many megawatts": see part_unit),
# and the word it counts
_COUNT = re.compile(r"^\W*(?:and\s+|so\s+)?(?:roughly\s+|about\s+|approximately\s+)?how many\b(?:\s+([\w-]+))?",
                    re.I)
_COUNT_WORD = re.compile(r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds|"
                         r"thousands)\b", re.I)
_MEASURE_AFTER = re.compile(r"^\s*(?:%|per ?cent\b|[kKMGTP]?(?:B|W|Wh|Hz)\b|[KMGTP]B/s|TFLOPS|PFLOPS|nm\b|mm|"
                            r"(?:kilo|mega|giga|tera)?(?:watts?|bytes?)\b|GB\b|TB\b)", re.I)


def _counts_devices(counted: str) -> bool:
    """The counted word is an accelerator: a device noun or a model number ("H800s")."""
    return counted.lower() in lexicon()["device_nouns"] or bool(MODEL_NUMBER.fullmatch(counted.rstrip("s").upper()))


def _dated_spans(text: str) -> list[tuple[int, int]]:
    """Where the text writes a date or a day of a month: numbers there count nothing."""
    return [m.span() for m in DATE.finditer(text)] + [m.span() for m in DAY_OF_MONTH.finditer(text)]


@lru_cache(maxsize=1)
def _device_count() -> re.Pattern[str]:
    nouns = "|".join(sorted((re.escape(n) for n in lexicon()["device_nouns"]), key=len, reverse=True))
    return re.compile(rf"(?<![\w.$])\d[\d,.]*(?:\s*(?:million|thousand|k)\b)?\s+(?:[\w-]+\s+){{0,3}}?"
                      rf"(?:(?:{nouns})\b|[A-Z]{{1,4}}\d{{2,4}}[A-Z]{{0,3}}\b)", re.I)


def counts_in(text: str) -> list[str]:
    """The plain numbers of a text that can count things: not a year or a day in a date, not a figure
    with a unit of measure or a percentage after it, not an amount after a currency sign."""
    dated = _dated_spans(text)
    currency = lexicon()["unit_prefixes"]["money"]
    out = []
    for m in _NUMBER.finditer(text):
        value = m.group(0)
        if YEAR.match(value.strip()) or any(a <= m.start() < b for a, b in dated) or "%" in value \
                or "cent" in value.lower() or _MEASURE_AFTER.match(text[m.end():]) \
                or currency.search(text[max(0, m.start() - 5): m.start()]):
            continue
        out.append(value)
    return out


def numbers_in(text: str) -> list[str]:
    return [m.group(0) for m in _NUMBER.finditer(text)]


def has_type(sentence: str, part: Part, heading: str = "") -> bool:
    """The sentence carries a value of the asked answer type (a definition may be in its heading)."""
    kind = part.answer_type
    unit = lexicon()["unit_patterns"].get(part_unit(part))
    if unit is not None and kind in ("number", "other"):
        # "how many megawatts", "what is the Federal Register citation": a value written in that unit
        return bool(unit.search(sentence))
    count = _COUNT.match(part.text) if kind == "number" else None
    if count:
        # "how many H800s did Nvidia ship?": a count is a plain number of things, not a day of a date,
        # a figure with a unit of measure ("600 GB/s") nor an amount of money
        if _counts_devices(count.group(1) or ""):
            # "how many H800s": the number stands before the devices it counts ("2,048 H800 SXM",
            # "about 400 Nvidia A100 chips"), not before a rating or in a model name ("RTX 4090")
            dated = _dated_spans(sentence)
            return any(not re.search(r"\b[A-Z][\w-]*\s$", sentence[max(0, m.start() - 20): m.start()])
                       and not any(a <= m.start() < b for a, b in dated)
                       for m in _device_count().finditer(sentence))
        return bool(counts_in(sentence)) or bool(_COUNT_WORD.search(sentence))
    if kind == "number":
        values = [n for n in numbers_in(sentence) if not YEAR.match(n.strip())]
        return bool(values) or bool(re.search(r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozen|"
                                              r"hundred|thousand|million|billion|half|third|quarter)\b", sentence, re.I))
    if kind == "date":
        return bool(DATE.search(sentence))
    if kind == "place":
        # a place is written after a locative preposition ("in Memphis", "near Yiwu County"); the
        # thing whose place is asked ("Colossus") and months ("in May 2025") are not places
        own = {w.lower() for e in part.entities for w in e.text.split()}
        # "in Abilene, Texas": the region after the comma places the town the question names
        return any(w.lower() not in own and w not in MONTH_NAMES
                   for m in _LOCATIVE.finditer(sentence) for w in m.groups() if w) or \
            any(m.group(1).lower() not in own for m in _BASED.finditer(sentence))  # "a Hubei-based group"
    if kind == "person":
        # a person or body the question does not itself name ("who placed the order CNAS reported?" is
        # not answered by "CNAS reported an order"), neither a model nor a brand before one ("Nvidia H100")
        asked = {w.lower() for w in _NAME.findall(part.text)} | {w.lower() for e in part.entities for w in e.text.split()}
        return any(m.group(0) not in FUNCTION_CAPITALS and m.group(0).lower() not in asked
                   and not _BEFORE_MODEL.match(sentence, m.end()) and not MODEL_NUMBER.fullmatch(m.group(0))
                   for m in _NAME.finditer(sentence))
    if kind == "definition":
        return any(defines(f"{heading}. {sentence}", e.text) for e in part.entities) if part.entities else True
    return True


def defines(sentence: str, term: str) -> bool:
    """The sentence spells the term out ("Total Processing Performance (TPP)", "TPP (total …)")
    or says what it means ("TPP stands for …", "TPP is defined as …")."""
    t = re.escape(term.strip())
    if re.search(rf"[A-Za-z][\w-]*(?:\s+[\w-]+){{0,6}}\s*\(\s*{t}\s*\)|\b{t}\s*\((?!\d)[^)]{{4,}}\)|"
                 rf"\b{t}\b[^.]{{0,40}}\b(?:stands? for|means?|is defined as|refers? to|is short for)\b",
                 sentence, re.I):
        return True
    # a name is described rather than spelled out: a sentence whose subject it is, with an apposition
    # or a copula ("Big Fund III, the third phase of …, was established", "Stargate is a venture …")
    return bool(re.search(rf"(?:^|[.!?]\s+)(?:The\s+)?{t}\b(?:\s+[A-Z][\w.]*){{0,2}}(?:\s*\([^)]*\))?\s*"
                          rf"(?:,\s*(?:the|a|an)\b|(?:is|was|are|were)\s+(?:the|a|an)\b)", sentence))


def negated(statement: str) -> bool:
    """The main clause of a statement is negative ("the B200 cannot"; not "X can, while Y cannot")."""
    doc = parsed(statement)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    return root is not None and any(c.dep_ == "neg" for c in root.children)


def documents_absence(sentence: str) -> bool:
    """The sentence says a fact is not known: its main clause is negated and its verb is one of
    disclosure ("The investor … was also not named in the sources reviewed", "The sources reviewed do
    not list which companies …", "Bloomberg did not name the operator"); not "The H20 did not need a
    licence", which states a fact."""
    doc = parsed(sentence)
    verbs = {stem(v) for v in lexicon()["disclosure_verbs"]}
    # the main verb, or one right under it (the parser may hang "do not list" under "reviewed")
    return any(any(c.dep_ == "neg" for c in t.children) and stem(t.lower_) in verbs
               and (t.dep_ == "ROOT" or t.head.dep_ == "ROOT") for t in doc)


def gives_value(sentence: str, part: Part) -> bool:
    """The sentence gives a figure or a date of its own (not one the question states), for a number
    or date question: "… is not given, only that it came online after about 122 days" still answers."""
    if part.answer_type == "number":
        own = {n.strip() for n in numbers_in(part.text)}
        return any(n.strip() not in own and not YEAR.match(n.strip()) for n in numbers_in(sentence))
    if part.answer_type == "date":
        own = {m.group(0) for m in DATE.finditer(part.text)}
        return any(m.group(0) not in own for m in DATE.finditer(sentence))
    return False


def is_clause(text: str) -> bool:
    """The text has a verb of its own ("DeepSeek put out R1"), not only nouns ("the H20 licence")."""
    return any(t.pos_ == "VERB" and t.text[:1].islower() for t in parsed(text))


def noun_qualifiers(text: str) -> set[str]:
    """Proper nouns that are the object of a preposition attached to a noun ("stake in Stargate" →
    Stargate), as written: they qualify a thing rather than name one."""
    return {t.text for t in parsed(text) if t.pos_ == "PROPN" and t.dep_ == "pobj" and t.head.dep_ == "prep"
            and t.head.head.pos_ == "NOUN"}


def years_in(text: str) -> set[str]:
    """The four-digit years a text names."""
    return set(_YEARS.findall(text))


_NAME_PHRASE = re.compile(r"\b[A-Z][\w&'’-]*(?:\s+(?:of\s+|de\s+)?[A-Z][\w&'’-]*)*")


def name_phrases(text: str) -> list[str]:
    """Runs of capitalised words ("Operation Gatekeeper", "US Department of Justice"), in order,
    a leading sentence function word left out ("In Operation Gatekeeper" → "Operation Gatekeeper")."""
    out = []
    for m in _NAME_PHRASE.finditer(text):
        words = m.group(0).split()
        while words and words[0] in FUNCTION_CAPITALS:
            words = words[1:]
        if words:
            out.append(" ".join(words))
    return out


def names_in(text: str) -> set[str]:
    """Proper names of a text: capitalised words that are not sentence function words."""
    return {w for w in _NAME.findall(text) if w not in FUNCTION_CAPITALS}


def part_unit(part: Part) -> str:
    words = part.focus.lower().split()
    return lexicon()["units"].get(words[-1], "") if words else ""


@lru_cache(maxsize=4096)
def aliases(name: str) -> tuple[str, ...]:
    """Other names of the same actor (aliases.yaml): "Washington" → "BIS", "US government", …"""
    key = name.lower().strip()
    return tuple(sorted({alias for group in load("aliases.yaml")["groups"] if key in group for alias in group} - {key}))


def mentions(text: str, entity: Entity) -> bool:
    """The entity is named in `text` (folded, stemmed; a chip also by its catalogue name; an actor
    also by another of its names, aliases.yaml). A name of three or more words counts when most of
    its words are there ("US Justice Department" in "the Department of Justice")."""
    stemmed = _stem_text(text)
    for form in {entity.text, entity.canonical, *aliases(entity.text)}:
        words = stems(form)
        if words and f" {' '.join(words)} " in stemmed:
            return True
        if entity.kind == "name" and len(words) >= 3 and sum(f" {w} " in stemmed for w in words) * 3 >= len(words) * 2:
            return True
    return False


def about(text: str, entities: list[Entity], question: str = "") -> bool:
    """Most of the entities the part names appear in `text` (a passage with its title): one of one,
    one of two, two of three — a multi-hop question's passages each carry part. A year the question
    names must be there too: what 2025 documents say does not answer a question about 2027."""
    needed = [e for e in entities if not DATE.fullmatch(e.text.strip())]
    # names that only frame the corpus (US, Nvidia) are never required: the focus and the ranking carry them
    needed = [e for e in needed if e.topical]
    found = sum(mentions(text, e) for e in needed)
    # (a why-question's years belong to its premise, which may be wrong: it is not held to them)
    years = set() if re.match(r"\s*why\b", question, re.I) else years_in(question)
    return found * 2 >= len(needed) and (not years or any(y in text for y in years))


def missing_phrase(part: Part, fallback: str = "an answer to this question") -> str:
    """What the corpus lacks, in words: "the CEO of Nyocor", "the salary of Nvidia CEO"."""
    names = [e.text for e in part.entities if e.kind != "fleet" or e.text[:1].isupper()]
    focus = part.focus.strip()
    # "the CEO of Nyocor" for a noun attribute of a named thing ("Nyocor's CEO", "the CEO of Nyocor")
    if focus and names and not part.predicate:
        starts = [part.text.find(n) for n in names]
        if len(names) > 1 and min(starts) >= 0:
            # names written together ("Nvidia's CEO") are one phrase
            span = part.text[min(starts): max(s + len(n) for s, n in zip(starts, names))]
            # "Huawei's upcoming Ascend 950DT": an owner and what it owns, a word or two apart
            owned = re.match(r"^\S+['’]s\s+(?:\w+\s+){0,2}\S", span) is not None
            if len(span) <= sum(len(n) for n in names) + 4 or (len(names) == 2 and owned):
                names = [span]
        return f"the {focus} of {' and '.join(n.removesuffix(chr(39) + 's').removesuffix('’s') for n in names)}"
    # the question itself is never echoed: it may carry text meant as instructions
    return fallback
