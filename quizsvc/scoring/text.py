"""Text normalisation, segmentation and content words, shared by matching and search.

Everything the grader compares goes through :func:`normalise` first: Unicode NFKC
(full-width to half-width), markdown stripped, Traditional to Simplified (OpenCC),
lower case, whitespace collapsed. Candidates write in either Chinese script or English,
so all matching happens on this one form.
"""

import html
import re
import unicodedata
from functools import lru_cache

import opencc

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{CJK}]")
_LATIN_LETTER = re.compile(r"[a-z]")
_MARKDOWN = [
    (re.compile(r"```.*?```", re.S), " "),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),
    (re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M), ""),
    (re.compile(r"^\s*[-*_]{3,}\s*$", re.M), ""),
]
# The invisible ones among Unicode's format characters (category Cf), which text copied
# from web pages and documents carries: soft hyphens, zero-width spaces and joiners,
# direction marks, byte order marks. A reader does not see them; left in, "self\u00adattention" would be two words.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")
# HTML from a rich-text editor (a hiring platform may pass its answer field on as it is):
# only a text with closing block tags or line breaks is read as markup, and only the tags
# of formatted text go, so "List<String>", "a<b" or a bare "<div>" stay as written. Block
# tags end a line, as they do on screen.
_HTML_MARKUP = re.compile(r"</(?:p|div|li|h[1-6]|blockquote|pre|td|tr)\s*>|<br\s*/?>", re.I)
_HTML_BLOCK = re.compile(r"</?(?:p|div|br|hr|li|ul|ol|h[1-6]|blockquote|pre|table|thead|tbody|tr|td|th)\b[^<>]*>", re.I)
_HTML_INLINE = re.compile(r"</?(?:span|b|i|u|s|em|strong|code|sub|sup|a|font|mark)\b[^<>]*>", re.I)
# Clause ends: sentence punctuation in either script, semicolons, line breaks, and an
# English full stop followed by a space (not "3.5", "e.g." or "i.e.").
_UNIT_END = re.compile(
    r"(?<=[。！？；;!?\n])|(?<![Ee]\.[Gg]\.)(?<![Ii]\.[Ee]\.)(?<=[A-Za-z0-9)][.])(?=\s)|(?<=[:：])(?=\s*\n)"
)
# Clauses are cut again at commas: "由编码器和解码器堆叠而成，核心是多头自注意力" makes two
# claims, and a key point compared with the whole sentence reads as barely covered. A
# sentence, not its comma parts, is what states a misconception (SENTENCE_CHARS: the
# sentence is cut at commas only past that length). Grouped CV (ADS Pearson / SciEntsBank
# AUC): sentences cut past 60 characters 0.687 / 0.785; past 40: 0.694 / 0.784; past 24:
# 0.700 / 0.784; at every comma 0.709 / 0.784.
_LONG_UNIT = 0
SENTENCE_CHARS = 60
_COMMA = re.compile(r"(?<=[，,])")
_MIN_UNIT_CHARS = 4


@lru_cache(maxsize=2)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text)


def to_traditional(text: str) -> str:
    return _converter("s2t").convert(text)


def script_variants(text: str) -> list[str]:
    """The text as given, in Simplified and in Traditional script, without repeats."""
    return list(dict.fromkeys([text, to_simplified(text), to_traditional(text)]))


def strip_markdown(text: str) -> str:
    """Markdown and rich-text HTML reduced to their words (HTML entities decoded)."""
    if _HTML_MARKUP.search(text):
        # Entities decode to characters NFKC has not seen yet ("&nbsp;" is a no-break space).
        text = unicodedata.normalize("NFKC", html.unescape(_HTML_INLINE.sub("", _HTML_BLOCK.sub("\n", text))))
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return text


def readable(text: str) -> str:
    """The text as a person reads it, in its own script: NFKC, invisible characters and
    markdown gone."""
    return strip_markdown(_INVISIBLE.sub("", unicodedata.normalize("NFKC", text or ""))).strip()


def clean(text: str) -> str:
    """:func:`readable`, in Simplified script (case kept): what the encoder is given."""
    return to_simplified(readable(text)).strip()


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """The matching form: :func:`clean`, lower-cased, whitespace runs collapsed."""
    return re.sub(r"[ \t\r\f\v]+", " ", clean(text).lower()).strip()


def squash(text: str) -> str:
    """Letters, digits and CJK only: 'Self-Attention' and 'self attention' meet here."""
    return re.sub(f"[^0-9a-z{CJK}]+", "", normalise(text))


def language_of(text: str) -> str:
    """'zh' when Chinese characters carry the text, else 'en'.

    An answer in Chinese with English technical terms is Chinese: one CJK character
    counts like a whole English word.
    """
    cjk = len(_CJK_CHAR.findall(text))
    words = len(re.findall(r"[A-Za-z]+", text))
    return "zh" if cjk >= max(words, 1) else "en"


def split_units(text: str, *, longest: int | None = None) -> list[str]:
    """Clauses of a cleaned text: what one key point can be matched against.

    ``longest``: cut at commas only the sentences longer than this (default: every one)."""
    longest = _LONG_UNIT if longest is None else longest
    units = []
    for part in _UNIT_END.split(text):
        part = part.strip()
        if len(part) > longest:
            units.extend(p.strip() for p in _COMMA.split(part))
        else:
            units.append(part)
    merged: list[str] = []
    for unit in units:
        if not unit:
            continue
        if merged and len(squash(unit)) < _MIN_UNIT_CHARS:
            # A stray fragment belongs to the clause before it.
            joiner = " " if merged[-1][-1:].isascii() and unit[:1].isascii() else ""
            merged[-1] += joiner + unit
        else:
            merged.append(unit)
    return [u for u in merged if len(squash(u)) >= _MIN_UNIT_CHARS] or ([text.strip()] if text.strip() else [])


# Function words that carry no content in either language.
STOPWORDS_ZH = frozenset(
    "的 了 是 在 和 与 及 或 等 也 就 都 而 且 并 但 被 把 将 对 于 为 以 由 从 到 向 这 那 这些 那些 这个 那个 "
    "它 它们 其 之 所 可以 能 能够 会 可 要 需要 一个 一种 一些 有 没有 不 很 更 最 还 又 即 如 如果 因为 所以 "
    "因此 通过 进行 使用 用于 使得 使 让 时 中 上 下 个 种 些 每 各 该 此 其他 什么 怎么 如何 为什么 哪些 吗 呢 "
    "吧 啊 我 我们 你 你们 他 他们 她 自己 就是 还是 以及 而是 然后 并且 或者 比如 例如 主要 通常 一般 非常".split()
)
STOPWORDS_EN = frozenset(
    "a an the and or but if then else of to in on at by for with from as into onto about over under is are was "
    "were be been being am do does did doing have has had having it its it's this that these those there here "
    "which who whom whose what when where why how i you he she we they them their our your my me us him her "
    "not no nor so too very can could should would will shall may might must also just than such each other "
    "some any all both more most much many few one can't don't doesn't isn't aren't won't because while "
    "during before after up down out off again further once only own same s t".split()
)
_WORD = re.compile(f"[a-z][a-z0-9+#]*|[0-9]+(?:\\.[0-9]+)?|[{CJK}]+")


@lru_cache(maxsize=1)
def _jieba():
    # jieba's dictionary and algorithm (prefix DAG, HMM for unknown words) in Rust: the
    # same words as the Python jieba, about ten times faster.
    import rjieba

    return rjieba


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=4096)
def content_word_spans(text: str) -> tuple[tuple[int, str], ...]:
    """Content words of a normalised text, each with where it starts: jieba words for
    Chinese, stems for English."""
    words = []
    for match in _WORD.finditer(text):
        token = match.group()
        if _CJK_CHAR.match(token):
            at = match.start()
            words.extend((at + start, w) for w, start, _ in _jieba().tokenize(token) if w not in STOPWORDS_ZH)
        elif token not in STOPWORDS_EN and (len(token) > 1 or token.isdigit()):
            words.append((match.start(), _stem(token)))
    return tuple(words)


def content_words(text: str) -> tuple[str, ...]:
    """Content words of a normalised text: jieba words for Chinese, stems for English."""
    return tuple(w for _, w in content_word_spans(text))


_WORD_ANY_CASE = re.compile(_WORD.pattern, re.I)


def question_word_spans(text: str, question_words: frozenset[str]) -> list[tuple[int, int]]:
    """Character spans of ``text`` holding one of ``question_words`` (content words of the
    question, as :func:`content_words` gives them); function words are never among them.

    Works on any form of a text whose characters line up with it (cleaned, or an encoder's
    own normalisation of it), so a vector can be taken without those words.
    """
    spans = []
    chinese = _chinese_of(question_words)
    for match in _WORD_ANY_CASE.finditer(text):
        token = match.group().lower()
        if _CJK_CHAR.match(token):
            # Segmenting is the slow part: only where a question word is written.
            if not any(word in token for word in chinese):
                continue
            spans.extend(
                (match.start() + start, match.start() + end)
                for word, start, end in _jieba().tokenize(token)
                if word in question_words
            )
        elif token not in STOPWORDS_EN and (_stem(token) if token[0].isalpha() else token) in question_words:
            spans.append(match.span())
    return spans


@lru_cache(maxsize=256)
def _chinese_of(words: frozenset[str]) -> tuple[str, ...]:
    return tuple(w for w in words if _CJK_CHAR.match(w))


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


def without_words(text: str, question_words: frozenset[str]) -> str:
    """``text`` with the question's words left out: what it says beyond the question."""
    kept, at = [], 0
    for start, end in question_word_spans(text, question_words):
        kept.append(text[at:start])
        at = end
    kept.append(text[at:])
    return re.sub(r"\s+", " ", "".join(kept)).strip()


def function_word_share(norm: str) -> float:
    """The share of a normalised text's words that are function words.

    Prose explains ("X 是 ... 因为 ...", "it lets the model ..."); a bare list of terms has
    almost none.
    """
    total = function = 0
    for token in _WORD.findall(norm):
        for piece in _jieba().cut(token) if _CJK_CHAR.match(token) else [token]:
            total += 1
            function += piece in STOPWORDS_ZH or piece in STOPWORDS_EN
    return function / total if total else 0.0


# -- formulas ------------------------------------------------------------------------------
# Where the answer to a question is a formula ("2^(n-1)", "(2n+1)/3"), writing the right
# one is what counts, and an encoder barely tells "2^(n-1)" from "2^n-1" or "2n-1".
_FORMULA_OPERATOR = re.compile(r"\s*([+\-*/^=<>])\s*")
# "2的n-1次方", "n的平方": the Chinese way of writing a power. A base starts where its run
# of letters and digits starts (so a long run is scanned once, not from every position).
_POWER_ZH = re.compile(r"((?<![0-9a-z])[0-9a-z]+|\([^()]*\))的\s*([0-9a-z]+(?:[+\-][0-9a-z]+)*|\([^()]*\))\s*次方")
_SQUARE_ZH = re.compile(r"((?<![0-9a-z])[0-9a-z]+|\([^()]*\))的\s*(平方|立方)")
# List markers glued to a formula: "1.n/2", "(2)(2n+1)/3".
_ENUMERATION = re.compile(r"(?:^|(?<=[\s;:,。，；：、]))(?:\(\d\)|\d[.、)])(?=[a-z(])")
# "2*n" and "2n" are one way of writing.
_IMPLICIT_PRODUCT = re.compile(r"(?<=[0-9)])\*(?=[a-z(])")
_DOUBLE_PARENTHESES = re.compile(r"\(\(([^()]*)\)\)")
_FORMULA_RUN = re.compile(r"(?:[0-9a-z()+\-*/^]|(?<=\d)\.(?=\d))+")
_FORMULA_OPERATION = re.compile(r"[0-9a-z)][+\-*/^][0-9a-z(]")
# Variables are single letters; longer words make "self-attention" or "top-k" prose.
_FORMULA_FUNCTIONS = frozenset({"log", "lg", "ln", "sqrt"})


def _balanced(expression: str) -> bool:
    depth = 0
    for char in expression:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0


@lru_cache(maxsize=4096)
def formulas(norm: str) -> frozenset[str]:
    """The formulas a normalised text writes, each in one canonical form: operators
    without spaces, "的n次方" as "^(n)", no "*" before a variable or bracket, no
    enclosing or doubled brackets. An operation on numbers or one-letter variables makes
    a formula; words joined by a hyphen do not."""
    text = norm.replace("\u2212", "-").replace("×", "*").replace("÷", "/").replace("**", "^")
    text = _POWER_ZH.sub(lambda m: f"{m.group(1)}^({m.group(2)})", text)
    text = _SQUARE_ZH.sub(lambda m: f"{m.group(1)}^{2 if m.group(2) == '平方' else 3}", text)
    text = _FORMULA_OPERATOR.sub(r"\1", text)
    text = _ENUMERATION.sub(" ", text)
    text = _IMPLICIT_PRODUCT.sub("", text)
    while _DOUBLE_PARENTHESES.search(text):
        text = _DOUBLE_PARENTHESES.sub(r"(\1)", text)
    found = set()
    for match in _FORMULA_RUN.finditer(text):
        expression = match.group()
        # A bracket opened or closed outside the run ("(n-1" of "ai=3(n-1") is not its own.
        while expression.startswith("(") and expression.count("(") > expression.count(")"):
            expression = expression[1:]
        while expression.endswith(")") and expression.count(")") > expression.count("("):
            expression = expression[:-1]
        while expression.startswith("(") and expression.endswith(")") and _balanced(expression[1:-1]):
            expression = expression[1:-1]
        if not _balanced(expression) or not _FORMULA_OPERATION.search(expression):
            continue
        if any(len(word) > 1 and word not in _FORMULA_FUNCTIONS for word in re.findall(r"[a-z]+", expression)):
            continue
        found.add(expression)
    return frozenset(found)
