"""Text normalisation for user messages (pure functions, no Rasa import).

``normalize_text(text)`` does, in this order:

1. **NFKC** -- full-width digits/letters/％ become ASCII (``１５％`` -> ``15%``) and CJK
   compatibility ideographs become their unified form.  Characters of Unicode category
   ``No`` (circled/superscript digits, vulgar fractions: ①, ², ½) are deliberately *not*
   folded: NFKC would turn ``②500萬`` into ``2500萬`` and ``10²`` into ``102``.

   NFKC folds the full-width sentence punctuation ，！？：；（）～ to ASCII
   (``，`` -> ``,``).  The meaning survives: 。、「」『』《》⋯ are untouched, the
   ASCII forms are still punctuation for jieba and for the clause splitting in
   :mod:`components.numbers`.  One real ambiguity remains: after folding, ``1，000萬``
   and a clause break ``80，500萬`` both read ``d,ddd``; ``components.numbers`` reads
   that as a thousands separator.
2. **Simplified -> Traditional** with OpenCC ``s2twp`` (Taiwan standard + Taiwan
   phrasing), ``营业额掉了30%`` -> ``營業額掉了30%``.  ``s2twp`` is *not* idempotent on
   Traditional text: its Taiwan-phrase table rewrites correct Taiwanese words that are
   keywords of this bot (設備->裝置, 窗口->視窗, 支持->支援, 導入->匯入, 項目->專案,
   聯繫->聯絡, 台灣->臺灣, 機台->機臺 ...).  Therefore

   * text without any Simplified-only character is returned unchanged (see
     :func:`has_simplified`), so 營業額/貸款/週轉/周轉/台灣/設備 stay as typed;
   * text that does contain Simplified characters is converted, but domain terms
     (built-in list + every phrase in ``knowledge/lexicon.yml``) are shielded and
     emitted in their Traditional lexicon spelling (设备 -> 設備, not 裝置), and
     ``台`` is kept as ``台`` (s2twp would write ``臺``).  Plain ``s2twp`` rewrites such
     as 周转 -> 週轉 or 软件 -> 軟體 still happen.
3. Control/format characters (``Cc``/``Cf``: NUL, ZWSP, BOM, soft hyphen...) are
   dropped, every run of whitespace (newline, tab, ideographic space) becomes one
   ASCII space, and the result is stripped.

OpenCC converters are created lazily, once per process (module-level singletons).
``normalize_with_spans`` does the same while keeping character spans (entity
annotations in training data) aligned.
"""

from __future__ import annotations

import bisect
import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
LEXICON_PATH = REPO_ROOT / "knowledge" / "lexicon.yml"

OPENCC_CONFIG = "s2twp"

# Correct Taiwanese spellings that s2twp would rewrite (found by running s2twp over
# knowledge/*.yml); every phrase of knowledge/lexicon.yml is added at runtime.
BUILTIN_PROTECTED_TERMS: tuple[str, ...] = (
    "台",
    "設備",
    "窗口",
    "支持",
    "導入",
    "項目",
    "聯繫",
    "布局",
    "機台",
)

# Simplified characters that happen to be encodable in Big5 (cp950), so the Big5 test
# in has_simplified() would miss them.  Only characters that are practically never used
# in Taiwanese Traditional text are listed (台 后 干 里 周 范 于 ... are not).
_SIMPLIFIED_IN_BIG5 = frozenset(
    "万与么价优体儿党几厂听圣坏宁复据机极构气离确种网胜苹虫触赶适惊怀怜扰愿异并尸吨岭柜洁硅蚕忏"
)

_lock = threading.Lock()
_converters: dict[str, Any] = {}


def _opencc(config: str) -> Any:
    """Returns the process-wide OpenCC converter for ``config`` (created on first use)."""
    converter = _converters.get(config)
    if converter is None:
        with _lock:
            converter = _converters.get(config)
            if converter is None:
                import opencc

                converter = opencc.OpenCC(config)
                _converters[config] = converter
    return converter


@functools.lru_cache(maxsize=1)
def load_lexicon() -> dict[str, Any]:
    """Parsed ``knowledge/lexicon.yml`` (cached); ``{}`` if the file is missing."""
    import yaml

    try:
        with open(LEXICON_PATH, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    except FileNotFoundError:
        logger.warning("Lexicon %s not found; using built-in word lists only.", LEXICON_PATH)
        return {}
    return data if isinstance(data, dict) else {}


def _strings(node: Any) -> Iterable[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _strings(value)


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0x20000 <= cp <= 0x2FA1F


@functools.lru_cache(maxsize=8192)
def _is_simplified_char(ch: str) -> bool:
    if not _is_cjk(ch):
        return False
    if ch not in _SIMPLIFIED_IN_BIG5:
        try:
            ch.encode("cp950")
            return False  # a Big5 character: valid Traditional
        except UnicodeEncodeError:
            pass
    # Not in Big5 (or a listed one): Simplified only if OpenCC would change it;
    # rare Traditional characters outside Big5 are left alone.
    return _opencc(OPENCC_CONFIG).convert(ch) != ch


def has_simplified(text: str) -> bool:
    """True if ``text`` contains at least one Simplified-only Chinese character."""
    return any(_is_simplified_char(ch) for ch in text)


@functools.lru_cache(maxsize=1)
def _protection() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """Regex of shielded spellings and the Traditional form each one is written as."""
    s2twp = _opencc(OPENCC_CONFIG)
    t2s = _opencc("t2s")
    lexicon_terms: set[str] = {unicodedata.normalize("NFKC", s).strip() for s in _strings(load_lexicon())}
    lexicon_terms.discard("")
    mapping: dict[str, str] = {}
    for term in list(BUILTIN_PROTECTED_TERMS) + sorted(lexicon_terms):
        for form in (term, t2s.convert(term)):
            if form in mapping:
                continue
            converted = s2twp.convert(form)
            # Protect only when s2twp would not already produce a lexicon spelling
            # (周转 -> 週轉 is fine, 设备 -> 裝置 is not).
            if converted != term and converted not in lexicon_terms:
                mapping[form] = term
    if not mapping:
        return None, {}
    pattern = re.compile("|".join(re.escape(form) for form in sorted(mapping, key=len, reverse=True)))
    return pattern, mapping


def _convert_simplified(text: str) -> str:
    """s2twp with domain terms shielded (see module docstring)."""
    converter = _opencc(OPENCC_CONFIG)
    pattern, mapping = _protection()
    if pattern is None:
        return converter.convert(text)
    out: list[str] = []
    pos = 0
    for match in pattern.finditer(text):
        if match.start() > pos:
            out.append(converter.convert(text[pos : match.start()]))
        out.append(mapping[match.group()])
        pos = match.end()
    if pos < len(text):
        out.append(converter.convert(text[pos:]))
    return "".join(out)


def to_traditional(text: str, force: bool | None = None) -> str:
    """Simplified -> Traditional (Taiwan); Traditional-only text is returned unchanged.

    ``force`` overrides the :func:`has_simplified` decision (used when a text is
    converted piece by piece).
    """
    convert = has_simplified(text) if force is None else force
    return _convert_simplified(text) if convert and text else text


def _nfkc(text: str) -> str:
    """NFKC, except for category ``No`` characters (①, ², ½) which are kept."""
    if text.isascii():
        return text
    out: list[str] = []
    run_start = 0
    for i, ch in enumerate(text):
        if not ch.isascii() and unicodedata.category(ch) == "No":
            out.append(unicodedata.normalize("NFKC", text[run_start:i]))
            out.append(ch)
            run_start = i + 1
    out.append(unicodedata.normalize("NFKC", text[run_start:]))
    return "".join(out)


def _clean(text: str) -> tuple[str, list[int]]:
    """Drops control/format chars, collapses whitespace, strips.

    Returns the cleaned text and, for every output character, the index of the input
    character it came from (a collapsed whitespace run maps to its first character).
    """
    out: list[str] = []
    sources: list[int] = []
    pending_space: int | None = None
    for i, ch in enumerate(text):
        if ch.isspace():
            if pending_space is None:
                pending_space = i
            continue
        if unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        if pending_space is not None:
            if out:  # leading whitespace is stripped
                out.append(" ")
                sources.append(pending_space)
            pending_space = None
        out.append(ch)
        sources.append(i)
    return "".join(out), sources


def normalize_text(text: str) -> str:
    """NFKC + Simplified->Traditional (s2twp, guarded) + whitespace/control clean-up."""
    if not text:
        return ""
    folded = _nfkc(text)
    return _clean(to_traditional(folded))[0]


def normalize_with_spans(text: str, spans: Sequence[tuple[int, int]] = ()) -> tuple[str, list[tuple[int, int]]]:
    """Like :func:`normalize_text`, and maps ``spans`` (start, end) onto the result.

    The text is cut at every span boundary and each piece is normalised on its own, so
    a boundary can always be located in the output even when OpenCC or NFKC change
    lengths (U盘 -> 隨身碟, … -> ...).  Without spans the result equals
    ``normalize_text(text)``; with spans it can differ only if an OpenCC phrase would
    have crossed a span boundary.  Mapped spans are trimmed of surrounding spaces.
    """
    if not text:
        return "", [(0, 0) for _ in spans]
    cuts = sorted({0, len(text)} | {max(0, min(len(text), b)) for s in spans for b in s})
    convert = has_simplified(_nfkc(text))
    pieces: list[str] = []
    offsets: dict[int, int] = {}
    length = 0
    for a, b in zip(cuts, cuts[1:]):
        offsets[a] = length
        piece = to_traditional(_nfkc(text[a:b]), force=convert)
        pieces.append(piece)
        length += len(piece)
    offsets[len(text)] = length
    cleaned, sources = _clean("".join(pieces))

    def locate(boundary: int) -> int:
        # first output character that comes from at or after the boundary
        return bisect.bisect_left(sources, offsets[boundary])

    new_spans: list[tuple[int, int]] = []
    for start, end in spans:
        start = max(0, min(len(text), start))
        end = max(start, min(len(text), end))
        new_start, new_end = locate(start), locate(end)
        while new_start < new_end and cleaned[new_start] == " ":
            new_start += 1
        while new_end > new_start and cleaned[new_end - 1] == " ":
            new_end -= 1
        new_spans.append((new_start, new_end))
    return cleaned, new_spans
