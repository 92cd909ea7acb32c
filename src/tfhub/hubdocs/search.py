"""Full-text and faceted search over a tree's models, from indexes built once at load.

Every model is a bit in Python integers used as bitsets: a word's postings, a facet
value's members. A query is then a few ORs (a word's prefix matches every indexed word
it begins) and ANDs of integers, and a facet's counts are popcounts. The usual faceted
rule holds: a facet's counts apply every active filter except its own, so choosing one
value still shows how many models each of its siblings would give.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Collection, Dict, Iterable, Iterator, List, Mapping, NamedTuple, Tuple

from tfhub import errors

if TYPE_CHECKING:
    from tfhub.hubdocs.catalog import DocTree, Model

FACETS = ("task", "network-architecture", "dataset", "language", "license", "format", "fine-tunable",
          "publisher")
_WORD = re.compile(r"[^\W_]+")
_HEADING = re.compile(r"^(#+)\s*(.*)$")
# How much a word counts in each field it is found in; a model's score sums, over the
# query's words, the fields holding each (its best-scoring indexed word, for a prefix).
_NAME_WEIGHT, _SUMMARY_WEIGHT, _OVERVIEW_WEIGHT = 4, 2, 1
_OVERVIEW_CHARS = 4000  # enough for what a reader sees first; long docs do not flood the index


class FacetCount(NamedTuple):
    value: str
    display_name: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    total: int                              # models matching, before offset and limit
    models: List["Model"]                   # the page asked for, best first
    facets: Mapping[str, List[FacetCount]]  # facet -> values with their counts, largest first
    offset: int = 0
    limit: int = 50


def words(text: str) -> List[str]:
    """Lower-case words of ``text``; ``_``, ``/``, ``-`` and ``.`` separate words."""
    return _WORD.findall(text.lower())


def overview(markdown: str) -> str:
    """The text under the first heading that says "overview" (to the next heading of the
    same or a higher level), else the text before the second heading."""
    lines = markdown.split("\n")
    start, level = None, 0
    for i, line in enumerate(lines):
        heading = _HEADING.match(line)
        if heading is None:
            continue
        if start is not None and len(heading[1]) <= level:
            return "\n".join(lines[start:i])[:_OVERVIEW_CHARS]
        if start is None and "overview" in heading[2].lower():
            start, level = i + 1, len(heading[1])
    return "\n".join(lines[start:] if start is not None else lines)[:_OVERVIEW_CHARS]


def _bits(mask: int) -> Iterator[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _mask(members: Iterable[int], size: int) -> int:
    """The bitset of ``members``, built in one pass (summing ``1 << i`` is quadratic)."""
    bits = bytearray((size + 7) // 8)
    for i in members:
        bits[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(bits, "little")


def _popcount(mask: int) -> int:
    return bin(mask).count("1")  # int.bit_count() needs Python 3.10


class SearchIndex:
    """The word and facet indexes of one tree."""

    def __init__(self, tree: "DocTree"):
        self._tree = tree
        self._models = list(tree.models.values())  # bit i = self._models[i], in handle order
        self._all = (1 << len(self._models)) - 1
        weights: Dict[str, Dict[int, int]] = {}
        members: Dict[str, Dict[str, List[int]]] = {facet: {} for facet in FACETS}
        for i, model in enumerate(self._models):
            for field_words, weight in self._fields(model):
                for word in set(field_words):  # a word counts once per field it is in
                    postings = weights.setdefault(word, {})
                    postings[i] = postings.get(i, 0) + weight
            for facet in FACETS:
                for value in model.facets.get(facet, ()):
                    members[facet].setdefault(value, []).append(i)
        self._facets = {facet: {value: _mask(ids, len(self._models)) for value, ids in values.items()}
                        for facet, values in members.items()}
        self._words = sorted(weights)
        self._weights = [weights[w] for w in self._words]
        self._masks = [_mask(postings, len(self._models)) for postings in self._weights]
        self._prefix = lru_cache(maxsize=4096)(self._prefix_uncached)

    @staticmethod
    def _fields(model: "Model") -> List[Tuple[List[str], int]]:
        latest = model.latest
        return [(words(model.handle), _NAME_WEIGHT), (words(latest.summary), _SUMMARY_WEIGHT),
                (words(overview(latest.markdown)), _OVERVIEW_WEIGHT)]

    def _prefix_uncached(self, word: str) -> Tuple[int, Dict[int, int]]:
        """Models having a word that starts with ``word``, and each one's weight for it
        (an exact match counts double, so "bert" ranks BERT above "bertseq2seq")."""
        lo = bisect.bisect_left(self._words, word)
        hi = bisect.bisect_left(self._words, word + "\U0010ffff", lo)
        mask, scores = 0, {}
        for k in range(lo, hi):
            mask |= self._masks[k]
            bonus = 2 if self._words[k] == word else 1
            for i, weight in self._weights[k].items():
                if weight * bonus > scores.get(i, 0):
                    scores[i] = weight * bonus
        return mask, scores

    def _filter_masks(self, filters: Mapping[str, Collection[str]]) -> Dict[str, int]:
        masks = {}
        for facet, values in filters.items():
            if facet not in self._facets:
                raise errors.SearchQueryError(f"unknown search facet {facet!r}; the facets are {', '.join(FACETS)}")
            if isinstance(values, str):
                values = (values,)
            if values:
                masks[facet] = 0
                for value in values:
                    masks[facet] |= self._facets[facet].get(value, 0)
        return masks

    def search(self, query: str, filters: Mapping[str, Collection[str]], offset: int, limit: int) -> SearchResult:
        if offset < 0 or limit < 1:
            raise errors.SearchQueryError(f"search offset must be 0 or more and limit 1 or more; "
                                          f"got offset={offset}, limit={limit}")
        text_mask, per_word = self._all, []
        for word in dict.fromkeys(words(query)):
            mask, scores = self._prefix(word)
            text_mask &= mask
            per_word.append(scores)
        filter_masks = self._filter_masks(filters)
        matched = text_mask
        for mask in filter_masks.values():
            matched &= mask
        ids = list(_bits(matched))
        if per_word:
            ids.sort(key=lambda i: -sum(scores[i] for scores in per_word))
        page = [self._models[i] for i in ids[offset:offset + limit]]
        return SearchResult(len(ids), page, self._facet_counts(text_mask, filter_masks, filters), offset, limit)

    def _facet_counts(self, text_mask: int, filter_masks: Dict[str, int],
                      filters: Mapping[str, Collection[str]]) -> Dict[str, List[FacetCount]]:
        counts = {}
        for facet in FACETS:
            base = text_mask
            for other, mask in filter_masks.items():
                if other != facet:
                    base &= mask
            chosen = filters.get(facet) or ()
            chosen = (chosen,) if isinstance(chosen, str) else chosen
            found = []
            for value, mask in self._facets[facet].items():
                count = _popcount(base & mask)
                if count or value in chosen:
                    found.append(FacetCount(value, self._tree.display_name(facet, value), count))
            found.sort(key=lambda c: (-c.count, c.display_name.lower()))
            counts[facet] = found
        return counts
