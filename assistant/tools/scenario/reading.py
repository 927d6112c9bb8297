"""Reading the figures a question states: numbers with their scale, unit and the thing they count or
are a rate of; the shares and what their own phrase says they scale; the numbers read as no figure
(years, names). A number left unread refuses the scenario."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..errors import ToolInputError
from ..quantities import numerals
from .units import (_COUNTED, _MODEL, _SCALES, _WORD, _countable, _countable_names, _counted_nouns, _currencies,
                    _is_money, _noun_after, _term, _unit, _words, registry)


_SMALL = {"one": 1, "two": 2, "three": 3, "a": 1, "an": 1}


_NUMBER = re.compile(
    r"(?P<cur>US\$|(?<![A-Za-z])\$|€|\bUSD\s?|\bRMB\s?)?(?P<num>(?<![\w.])\d(?:[\d,]*\d)?(?:\.\d+)?)"
    r"(?:\s*(?:x|×|\*)\s*10\s*(?:\^|\*\*)\s*(?P<exp>[-−]?\d+)|\^(?P<pow>[-−]?\d+)|[eE](?P<e>[-−+]?\d+)(?![\w]))?"
    r"(?:[\s-]*(?P<scale>thousand|million|billion|trillion|bn)\b)?", re.I)


@dataclass(frozen=True)
class Figure:
    """A stated figure: `amount` is its physical part (pint, dimensionless for a pure count),
    `counts` the exponents of the things it counts ({"gpu": 1, "rack": -1} for "72-GPU rack")."""

    text: str
    amount: Any  # pint.Quantity
    counts: tuple[tuple[str, int], ...] = ()
    start: int = 0
    factor_only: bool = False  # a plain number ("a PUE of 1.2"): its bearing is not stated, so it is refused
    end: int = 0  # where its phrase ends in the question (a share written right after it scales it)
    single: bool = False  # "a GPU", "an 8-GPU server": one thing, used only where the unit needs it


def _value(m: re.Match[str]) -> float:
    value = float(m.group("num").replace(",", ""))
    if m.group("pow"):  # "10^9 bytes"
        power = int(m.group("pow").replace("−", "-"))
        if value != 10 or abs(power) > 300:
            raise ToolInputError("figures", f"{m.group(0)} is no power of ten this calculates with")
        value = 10.0 ** power
    exponent = m.group("exp") or m.group("e")
    if exponent:
        power = int(exponent.replace("−", "-").replace("+", ""))
        if abs(power) > 300:
            raise ToolInputError("figures", f"10^{power} is beyond any figure this calculates with")
        value *= 10.0 ** power
    if m.group("scale"):
        value *= _SCALES[m.group("scale").lower()]
    return value


def _rate_after(text: str, end: int) -> tuple[Any, Counter[str], int] | None:
    """"per kWh", "per million output tokens", "a year", "every second", "to the dollar" right after a
    figure: what it is divided by, with the end of the phrase."""
    m = re.match(r"\s*(?:of\s+[\w-]+(?:\s+[\w-]+)?\s+)?(per|a|an|every|each|to the|to one|to a|for each|for every)\s+"
                 r"(?:(\d(?:[\d,]*\d)?(?:\.\d+)?)([A-Za-z]{1,2})?\s+|(million|billion|thousand|trillion)\s+)?",
                 text[end:], re.I)
    if not m:
        return None
    scale = 1.0
    if m.group(4):
        scale = _SCALES[m.group(4).lower()]
    elif m.group(2):
        # "per 1,000 tokens", "per 1K tokens", "per 1M tokens"
        suffix = m.group(3) or ""
        if suffix and suffix not in _words()["scale_suffixes"]:
            return None
        scale = float(m.group(2).replace(",", "")) * float(_words()["scale_suffixes"].get(suffix, 1))
    noun = _noun_after(text, end + m.end(), skip=1)
    if noun is None:
        return None
    word = noun[0]
    if m.group(1).lower() in ("a", "an") and (_term(word) is None or not _term(word)[1] and  # type: ignore[index]
                                               word.lower().rstrip("s") not in _words()["single_units"]):
        return None  # "a GPU" after a figure is no rate; "210 GWh a year" is
    term = _term(word)
    assert term is not None
    return term[0] * scale if scale != 1.0 else term[0], term[1], noun[2]


def _clause_start(text: str, position: int, marks: str) -> int:
    """Where the sentence (or clause) holding `position` begins: after the last of `marks` before it
    that ends a sentence — a mark followed by a space, never the point of "1.2" or the comma of "1,000"."""
    ends = [m.end() for m in re.finditer(rf"[{re.escape(marks)}](?=\s)", text[:position])]
    return ends[-1] if ends else 0


def _each_subject(text: str, start: int) -> str:
    """The thing counted nearest before `start` in the same clause ("8,000 accelerators priced at
    US$30,000 each" → "gpu")."""
    clause_start = _clause_start(text, start, ".;?!")
    last = ""
    for m in _WORD.finditer(text, clause_start, start):
        for piece in m.group(0).split("-")[-1:]:
            if _countable(piece):
                last = _countable(piece)
    return last


def _before_each(text: str, start: int, floor: int = 0) -> str:
    """"each 72-GPU rack draws 120 kW", "every GPU rated at 1,200 W": the thing after each/every/per
    earlier in the clause (after `floor`, the end of the figure before, whose own "per" it is not), of
    which the figure is a rate."""
    clause_start = _clause_start(text, start, ".;,?!")
    m = None
    for found in re.finditer(r"\b(?:each|every|per)\s+(?:[\d,.]+-[\w-]+\s+)?([\w-]+)", text[clause_start:start], re.I):
        if not (found.group(0).lower().startswith("per") and clause_start + found.start() < floor):
            m = found  # (a "per" inside the figure before is that figure's rate: "2 bytes per parameter")
    if m is None:
        # "A GPU rents for US$2.50 an hour", "An NVL72 rack holds 72 GPUs": what one thing, the clause's
        # subject, has or costs
        sentence = text[_clause_start(text, start, ".;?!"):start]
        subject = re.match(r"\s*(?:(?:if|suppose|say|assume|when)\s+)?(?:a|an)\s+(?:([\w-]+)\s+)?([\w-]+)", sentence, re.I)
        if subject:
            return next((_countable(w) for w in (subject.group(2), subject.group(1)) if w and _countable(w)), "")
        return ""
    if not _countable(m.group(1)) and m.group(0).lower().startswith(("each", "every")):
        # "2,048 GPUs that each sustain 400 TFLOPS": "each" stands for the thing counted before it
        return _each_subject(text, clause_start + m.start())
    return _countable(m.group(1))


def _digits(question: str) -> str:
    """The question with number words as digits ("eight GPUs" → "8 GPUs"), a scale word kept apart from its
    digits ("671-billion-parameter" → "671 billion-parameter", never "671-1000000000")."""
    kept: list[str] = []

    def keep(m: re.Match[str]) -> str:
        kept.append(m.group(0).replace("-", " "))
        return f"\ue000{len(kept) - 1}\ue001"  # private-use marks: never in a question's own text

    question = question.replace("\ue000", "").replace("\ue001", "")
    text = numerals(re.sub(r"\d[\d,.]*[\s-]+(?:thousand|million|billion|trillion)\b", keep, question, flags=re.I))
    return re.sub("\ue000(\\d+)\ue001", lambda m: kept[int(m.group(1))], text)


def figures(question: str) -> tuple[list[Figure], list[tuple[float, int, str]]]:
    """The figures a question states, and its shares as (fraction, position, how it applies:
    "share", "added" or "removed")."""
    text = _digits(question)
    token = _COUNTED.set(_counted_nouns(text))
    try:
        return _figures(text)
    finally:
        _COUNTED.reset(token)


def _figures(text: str) -> tuple[list[Figure], list[tuple[float, int, str]]]:
    # "two bytes per parameter": a small number word counts when a unit or a counted thing follows it
    text = re.sub(r"\b(one|two|three)\s+(?=(?:[\w-]+\s+)?[\w-]+)",
                  lambda m: f"{_SMALL[m.group(1).lower()]} " if _noun_after(m.string, m.end(), skip=1) else m.group(0),
                  text, flags=re.I)
    found: list[Figure] = []
    shares: list[_Share] = []
    skipped: list[tuple[int, int]] = []  # numbers read as no figure on purpose: years, model names
    ureg = registry()
    consumed = 0  # the end of the last figure's phrase: a number inside it ("per 1000000 tokens") is its rate
    for m in _NUMBER.finditer(text):
        if m.start() < consumed:
            continue
        value = _value(m)
        if re.fullmatch(r"(?:19|20)\d\d", m.group("num")) and not m.group("cur") and not m.group("scale") \
                and _noun_after(text, m.end(), skip=0) is None and not re.match(r"-[A-Za-z]", text[m.end():]):
            skipped.append((m.start(), m.end()))
            continue  # a year ("in 2025"), not "2000 W" nor "2048 GPUs"
        end = m.end()
        glued = re.match(r"[A-Za-z]+(?:/[A-Za-z]+)?", text[end:])
        glued_unit: Any = None
        if glued:
            # a letter written onto the digits: part of a name after a capitalised word ("Ascend 910B",
            # "RTX 4090D"); else a scale ("70B parameters", "US$1.5B") or a unit ("20MW", "4.8TB/s");
            # anything else is not read, and the number left unread makes the scenario refused
            name_before = re.search(r"\b[A-Z][\w-]*\s+$", text[:m.start()]) and not m.group("cur")
            if name_before:
                skipped.append((m.start(), end + glued.end()))
                continue
            if glued.group(0) in _words()["scale_suffixes"]:
                value *= float(_words()["scale_suffixes"][glued.group(0)])
                end += glued.end()
            elif _term(glued.group(0)) is not None:
                glued_unit = _term(glued.group(0))
                end += glued.end()
            else:
                continue
        tail = text[end:]
        pct = re.match(r"\s*(%|per ?cent\b|percent\b)", tail, re.I)
        if pct:
            shares.append(_share(text, value / 100, m.start(), end + pct.end()))
            continue
        unit: Any = ureg.dimensionless
        counts: Counter[str] = Counter()
        if m.group("cur"):
            unit = ureg.parse_units(_currencies()[m.group("cur").strip().lower()])
        compound = re.match(r"-([A-Za-z][\w]*)(?:-([A-Za-z][\w]*))?\s+([\w-]+)", tail)  # "72-GPU rack", "30-day run"
        plain = not m.group("cur")
        if plain and compound and _term(compound.group(1)) is not None:
            term = _term(compound.group(1))
            assert term is not None
            unit, counts = term
            # the thing it describes ("72-GPU rack"), never a model name after it ("24,576-GPU H100 clusters")
            owner = "" if _MODEL.fullmatch(compound.group(3)) else _countable(compound.group(3))
            if owner:
                counts[owner] -= 1
            end += compound.end()
        elif glued_unit is not None:
            unit, counts = glued_unit[0], Counter(glued_unit[1])
        elif plain:
            noun = _noun_after(text, end)
            if noun is not None:
                term = _term(noun[0])
                assert term is not None
                unit, counts = term
                end = noun[2]
            elif re.match(r"\s+(?:dollars?|euros?|yuan)\b", tail, re.I):
                word = re.match(r"\s+(\w+)", tail)
                assert word is not None
                unit = ureg.parse_units(_currencies()[word.group(1).lower()])
                end += word.end()
        # "8,000 of them": a count of the thing counted before
        of_them = re.match(r"\s+of\s+(?:them|these|those)\b", text[end:], re.I)
        if of_them and unit == ureg.dimensionless and not counts:
            thing = _each_subject(text, m.start()) or _before_each(text, m.start())
            if thing:
                counts[thing] += 1
                end += of_them.end()
        if unit == ureg.dimensionless and not counts:
            # a plain number ("a PUE of 1.2") may multiply or divide ("IT load at a PUE of 1.2" vs "a grid
            # connection at a PUE of 1.2"): its unit cannot say which, so it is kept to refuse the scenario
            found.append(Figure(text=text[m.start():end].strip(), amount=value * ureg.dimensionless, start=m.start(),
                                factor_only=True, end=end))
            continue
        # "racks of 72 GPUs": 72 GPUs per rack
        of = re.search(r"\b([\w-]+)\s+of\s*$", text[:m.start()])
        if of and _countable(of.group(1)) and counts and sum(counts.values()) == 1:
            counts[_countable(of.group(1))] -= 1
        # "80 GB GPUs", "120 kW racks": a unit written before a counted thing is that thing's
        after_unit = re.match(r"\s+([\w-]+)", text[end:])
        if after_unit and _countable(after_unit.group(1)) and (unit != ureg.dimensionless or "byte" in counts) \
                and not counts.get(_countable(after_unit.group(1))):
            counts[_countable(after_unit.group(1))] -= 1
            end += after_unit.end()
        rate = _rate_after(text, end)
        if rate is not None:  # "per kWh", "an hour", "every second"
            unit = unit / rate[0]
            counts.subtract(rate[1])
            end = rate[2]
        if re.match(r"\s*(?:each|apiece|a piece|a head|per head|a unit|per unit)\b", text[end:], re.I):
            subject = _each_subject(text, m.start())
            # "US$30,000 each": of the thing counted before it ("32,000-token contexts each" is one already)
            if subject and not any(v < 0 for v in counts.values()):
                counts[subject] -= 1
        else:
            # "each rack draws 120 kW", "A GPU rents for US$2.50 an hour": of the clause's one thing
            subject = _before_each(text, m.start(), consumed)
            if subject and not counts.get(subject):
                counts[subject] -= 1

        consumed = end
        shown = _shown(text, m.start(), end, counts)
        found.append(Figure(text=shown, amount=value * unit, end=end,
                            counts=tuple(sorted((k, v) for k, v in counts.items() if v)), start=m.start()))
    found += _single_things(text, found)
    found.sort(key=lambda f: f.start)
    _check_all_read(text, [(f.start, f.end) for f in found] +
                    [(sh.start, sh.end) for sh in shares] + skipped)
    return found, [_bind(text, found, share) for share in shares]


def _shown(text: str, start: int, end: int, counts: Counter[str]) -> str:
    """A figure as the question writes it ("per million tokens", not the digits the number words became),
    with the thing it is a rate of when the phrase does not say it ("72 GPUs per rack")."""
    shown = re.sub(r"\b(per|a|every)\s+1(000|000000|000000000|000000000000)\b",
                   lambda w: f"{w.group(1)} {({'000': 'thousand', '000000': 'million', '000000000': 'billion'}).get(w.group(2), 'trillion')}",
                   text[start:end].strip())
    for k in (k for k, v in counts.items() if v < 0):
        names = "|".join(w for w, name in [*_countable_names().items(), *_COUNTED.get().items()] if name == k) or k
        if not re.search(rf"\b(?:per|each|every|apiece|{names})\b", shown, re.I):
            # in the question's own word for the thing ("per accelerator", "per card")
            written = re.search(rf"\b({names})\b", text, re.I)
            word = written.group(1) if written else ("GPU" if k == "gpu" else k)
            word = word[:-1] if word.lower().endswith("s") and not word.lower().endswith("ss") else word
            shown += f" per {word}"
    return shown


def _single_things(text: str, found: list[Figure]) -> list[Figure]:
    """"a GPU", "a full year", "an 80 GB GPU", "an inference server": one counted thing or one unit of
    time the scenario names, outside the figures already read; a single thing is used only where the
    unit needs it."""
    ureg = registry()
    out: list[Figure] = []
    for m in re.finditer(r"\b(?:[Aa]n?|[Oo]ne)\s+(?:full\s+|single\s+|whole\s+)?(?:\d[\d,.]*-[\w-]+\s+|"
                         r"\d[\d,.]*\s*(?:[kKMGTP]?(?:W|Wh|B)|[kKMGTP]B/s)\s+)?([A-Za-z][\w-]*)\b", text):
        word = m.group(1)
        before = text[max(0, m.start() - 12): m.start()].lower()
        if re.search(r"\b(?:per|each|every)\s*$", before) or \
                any(f.start <= m.start() < f.start + len(f.text) for f in found):
            continue
        # "an inference server": the thing may follow one word that describes it
        described = re.match(r"\s+([A-Za-z][\w-]*)\b", text[m.end():])
        if not _countable(word) and described and _countable(described.group(1)) and not _unit(word):
            word, end_at = described.group(1), m.end() + described.end()
        else:
            end_at = m.end()
        if _countable(word) and not re.search(r"\b(?:of|for)\s*$", before):
            out.append(Figure(text=text[m.start():end_at], amount=1 * ureg.dimensionless,
                              counts=((_countable(word), 1),), start=m.start(), end=end_at, single=True))
        elif word.lower().rstrip("s") in _words()["single_units"] and re.search(r"\b(?:in|over|for|during)\s*$", before):
            out.append(Figure(text=m.group(0), amount=1 * ureg.parse_units(word.lower()), start=m.start(), end=m.end()))
    return out


def _check_all_read(text: str, read_spans: list[tuple[int, int]]) -> None:
    """Every number the question writes is read: as a figure, a share, a year or a name. One left unread
    ("per 1K tokens" misread, a suffix not understood) would make the product silently wrong.

    Raises:
        ToolInputError: a number starts outside every span read.
    """
    for digits in re.finditer(r"(?<![\w.,])\d", text):  # where a number starts ("H100" is a name)
        if not any(a <= digits.start() < b for a, b in read_spans):
            raise ToolInputError("figures", f"the number at '{text[max(0, digits.start() - 10):digits.start() + 10].strip()}' "
                                            "was not read; write it with its unit")


@dataclass(frozen=True)
class _Share:
    """A percentage and what its own phrase says of it: how it applies ("share" ×p, "added" ×(1+p),
    "removed" ×(1−p)) and to which figure ("before": the one its phrase follows, "after": the one
    after "of", "money": the amount of money before it in its sentence); how "" when it says nothing."""

    fraction: float
    start: int
    end: int
    how: str
    to: str
    utilisation: bool = False  # "at 80% utilisation": it slows a rate, and only a rate


def _share(text: str, fraction: float, start: int, end: int) -> _Share:
    """Read a percentage by its own phrase only: "four years at 80% utilisation" scales those years, "40%
    of that peak" or "15% of US$4 billion" the figure it is of, "a 15% discount" or "20% off" takes off,
    "10% on top" adds, "a 25% tariff" is that share of the money before it. Any other use is not
    guessed (`how` is "")."""
    words = _words()
    before, after = text[:start].lower(), text[end:].lower()
    after_words = re.match(r"\s*(?:[a-z-]+\s+){0,2}", after)
    near_after = after[: after_words.end() if after_words else 0]
    sentence = text[_clause_start(text, start, ".?!;"):].split(".")[0].lower()
    if any(re.search(rf"\b{re.escape(w)}\b", sentence) for w in words["remainder_words"]):
        return _Share(fraction, start, end, "", "")  # "loses 15% … and the rest feeds IT": which part is asked?
    if any(re.match(rf"\s*(?:[a-z-]+\s+)?{re.escape(w)}\b", after) for w in words["utilisation_words"]):
        return _Share(fraction, start, end, "share", "adjacent", utilisation=True)
    if re.match(r"\s*of\b", after):
        return _Share(fraction, start, end, "share", "after" if re.match(r"\s*of\s+(?:the\s+)?(?:us\$|\$|€)?\d", after)
                      else "before")
    if re.search(r"\bat\s+(?:an?\s+)?(?:average\s+|mean\s+|effective\s+)?$", before):
        return _Share(fraction, start, end, "share", "adjacent")
    if any(re.match(rf"\s*(?:[a-z-]+\s+)?{re.escape(w)}\b", after) for w in words["fraction_removed"]) or \
            re.search(r"\b(?:discount|rebate|reduction|cut) of\s*$", before):
        return _Share(fraction, start, end, "removed", "money")
    if any(re.match(rf"\s*{re.escape(w)}\b", after) for w in words["fraction_added"]) or \
            re.search(r"\b(?:plus|another|an extra|add|adding)\s*(?:an?\s+)?$", before):
        return _Share(fraction, start, end, "added", "before")
    if any(re.search(rf"\b{re.escape(w)}\b", near_after) for w in words["levies"]):
        # "a 25% tariff is added on top": its own clause says it is added to the price
        clause = re.split(r"[,;.?!]", after, maxsplit=1)[0]
        added = any(re.search(rf"\b{re.escape(w)}\b", clause) for w in [*words["fraction_added"], "added", "included"])
        return _Share(fraction, start, end, "added" if added else "levy", "money")
    return _Share(fraction, start, end, "", "")


def _bind(text: str, figs: list[Figure], share: _Share) -> tuple[float, int, str]:
    """(fraction, index of the figure it applies to or -1, how); how is "utilisation" for a share of
    use, which `_scaled` admits only on a rate."""
    sentence_start = _clause_start(text, share.start, ".?!;")
    earlier = [i for i, f in enumerate(figs) if sentence_start <= f.start < share.start and not f.factor_only]
    if share.to == "adjacent":
        # the figure written right before "at" ("four years at 80%"), not one a verb separates ("1e24 FLOP
        # runs at 40% utilisation on …": which figure the utilisation slows is not said)
        near = [i for i in earlier if re.fullmatch(r"\s*(?:each\s+|apiece\s+)?at\s+(?:an?\s+)?(?:average\s+|mean\s+|effective\s+)?",
                                                    text[figs[i].end:share.start], re.I)]
        if not near:
            # "A 10 MW facility runs at 60% average load.": the sentence's one figure, when none follows
            # the share in it (a figure after it could be what it slows: "1e24 FLOP runs at 40% on 400 PFLOPS")
            sentence_end = min([i for i in (text.find(c, share.end) for c in ".?!;") if i >= 0] or [len(text)])
            later = [f for f in figs if share.end <= f.start < sentence_end and not f.single]
            alone = [i for i in earlier if not figs[i].single]
            near = alone if len(alone) == 1 and not later else []
        return share.fraction, near[-1] if near else -1, "utilisation" if share.utilisation else "share"
    if share.to == "after":
        later = [i for i, f in enumerate(figs) if f.start >= share.end]
        return share.fraction, later[0] if later else -1, "share"
    if share.to == "money":
        money = [i for i in earlier if _is_money(figs[i].amount)]
        return share.fraction, money[-1] if money else -1, share.how
    if share.to == "before":
        return share.fraction, earlier[-1] if earlier else -1, share.how
    return share.fraction, -1, share.how
