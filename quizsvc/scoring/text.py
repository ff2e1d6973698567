"""Text normalisation shared by matching and search."""

from functools import lru_cache

import opencc


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
