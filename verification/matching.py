"""Line item -> catalogue product: EAN, then the partner's own names, then the catalogue's names.

1. EAN printed in the line (check digit valid, O/I/S OCR slips forgiven) -> that product, automatic.
2. The partner's own till names (learned from reviewers, `learn_alias`): exact normalised name, then
   rapidfuzz ratio >= 92 with no size contradiction -> automatic.
3. The catalogue (names and aliases). Each line token is looked up in the vocabulary (exact, OCR-confusable,
   prefix, consonant skeleton, number with unit, rapidfuzz near spelling: see verification.catalogue), every
   token weighted by its IDF. For a line L and a product name D:
   - line coverage: how much of L the name D explains (each line token's best similarity to a token of D);
   - name coverage: how much of D the line shows (till names are cut short, so this weighs less);
   - score = 100 * (0.6 * line coverage + 0.4 * name coverage).
   A fast approximate score over the inverted index (numpy bincount) shortlists 16 names; those are scored
   exactly and checked for size agreement: a line saying 25KG cannot be a 5 kg product (capped at 40).
A match is automatic only when the score is >= 75, at least 5 ahead of the next product, and every word of
the line stands for a word of the name. Otherwise the best product stays a suggestion (auto False), and
there is no product when the score is below 50 or the line carries a word the catalogue has never seen
(another brand, another product).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
from rapidfuzz import fuzz, process

from verification.catalogue import CatalogueIndex, Doc
from verification.normalise import NameTokens, eans_in, normalise_name, tokenise
from verification.programme import Product

LINE_SHARE = 0.6
EXPLAINED = 0.5  # a line word matching no word of the name at least this well blocks an automatic match
SHORTLIST = 10
ALTERNATIVES = 3


class MatchMethod(StrEnum):
    EAN = "ean"
    PARTNER_INDEX = "partner_index"
    PARTNER_NAME = "partner_name"
    PARTNER_FUZZY = "partner_fuzzy"
    CATALOGUE = "catalogue"
    NONE = "none"


@dataclass(frozen=True)
class MatchThresholds:
    auto_score: float = 75.0  # at least this score ...
    auto_margin: float = 5.0  # ... and this far ahead of the next product to match without a human
    suggest_score: float = 50.0  # below this no product is suggested
    partner_fuzzy: float = 92.0  # rapidfuzz ratio to a partner's own name to count as that name
    conflict_cap: float = 40.0  # the most a name whose sizes contradict the line can score


DEFAULT_THRESHOLDS = MatchThresholds()


@dataclass(frozen=True)
class LineMatch:
    """What a printed line was matched to; product_id is a suggestion only when auto is False."""

    item: str
    product_id: int | None
    score: float
    method: MatchMethod
    alternatives: tuple[tuple[int, float], ...] = ()
    auto: bool = False


def match_line(index: CatalogueIndex, item: str, partner_id: int | None = None,
               thresholds: MatchThresholds = DEFAULT_THRESHOLDS, *, gtin: str = "", seller_index: str = ""
               ) -> LineMatch:
    """Match one line; exact codes first (an e-invoice line's GTIN against the catalogue's EAN, its seller's
    index against that partner's learned names, an EAN printed in the name), then the partner's names, then
    the catalogue by name."""
    if gtin and gtin.lstrip("0") in index.by_ean_digits:
        return LineMatch(item, index.products[index.by_ean_digits[gtin.lstrip("0")]].id, 100.0, MatchMethod.EAN,
                         auto=True)
    if seller_index and partner_id is not None:
        known = index.partner_names.get(partner_id, {}).get(normalise_name(seller_index))
        if known is not None:
            return LineMatch(item, index.products[known].id, 100.0, MatchMethod.PARTNER_INDEX, auto=True)
    for ean in eans_in(item):
        if ean in index.by_ean:
            return LineMatch(item, index.products[index.by_ean[ean]].id, 100.0, MatchMethod.EAN, auto=True)
    tokens = tokenise(item)
    if partner_id is not None and (found := _partner_match(index, item, tokens, partner_id, thresholds)):
        return found
    return _catalogue_match(index, item, _segment(index, tokens), thresholds)


def match_lines(index: CatalogueIndex, items: Sequence[str], partner_id: int | None = None,
                thresholds: MatchThresholds = DEFAULT_THRESHOLDS) -> tuple[LineMatch, ...]:
    """Match every line of a document."""
    return tuple(match_line(index, item, partner_id, thresholds) for item in items)


def learn_alias(product: Product, partner_id: int, printed_name: str) -> dict[int, tuple[str, ...]]:
    """The product's partner_names after a reviewer said `printed_name` (on this partner's till) is it.

    The caller stores the result and rebuilds its index (or calls CatalogueIndex.with_partner_names);
    the next line printed the same way by this partner then matches by itself.
    """
    names = {k: tuple(v) for k, v in product.partner_names.items()}
    known = names.get(partner_id, ())
    if normalise_name(printed_name) not in {normalise_name(n) for n in known}:
        names[partner_id] = (*known, printed_name.strip())
    return names


def _partner_match(index: CatalogueIndex, item: str, tokens: NameTokens, partner_id: int,
                   thresholds: MatchThresholds) -> LineMatch | None:
    names = index.partner_names.get(partner_id)
    if not names:
        return None
    key = tokens.text
    if key in names:
        return LineMatch(item, index.products[names[key]].id, 100.0, MatchMethod.PARTNER_NAME, auto=True)
    best = process.extractOne(key, list(names), scorer=fuzz.ratio, score_cutoff=thresholds.partner_fuzzy)
    if best is None:
        return None
    position = names[best[0]]
    if _name_conflicts(tokens, tokenise(best[0])):
        return None
    return LineMatch(item, index.products[position].id, round(float(best[1]), 1), MatchMethod.PARTNER_FUZZY,
                     auto=True)


def _catalogue_match(index: CatalogueIndex, item: str, tokens: NameTokens,
                     thresholds: MatchThresholds) -> LineMatch:
    lookups = _lookups(index, tokens)
    if not lookups:
        return LineMatch(item, None, 0.0, MatchMethod.NONE)
    ranked = _rank_products(index, tokens, _weigh(index, lookups), thresholds)
    if not ranked:
        return LineMatch(item, None, 0.0, MatchMethod.NONE)
    best, rest = ranked[0], ranked[1:]
    runner_up = rest[0].score if rest else 0.0
    auto = (not best.conflict and best.score >= thresholds.auto_score
            and best.score - runner_up >= thresholds.auto_margin and _explains(index.docs[best.doc], lookups))
    alternatives = tuple((index.products[r.product].id, round(r.score, 1)) for r in rest[:ALTERNATIVES])
    score = round(best.score, 1)
    if best.score < thresholds.suggest_score or _foreign_word(tokens, lookups):
        alternatives = ((index.products[best.product].id, score), *alternatives)[:ALTERNATIVES]
        return LineMatch(item, None, score, MatchMethod.NONE, alternatives)
    return LineMatch(item, index.products[best.product].id, score, MatchMethod.CATALOGUE, alternatives, auto)


@dataclass(frozen=True)
class _Ranked:
    product: int
    doc: int
    score: float
    conflict: bool


def _segment(index: CatalogueIndex, tokens: NameTokens) -> NameTokens:
    """Split words OCR or the till glued together (KASTRABUDOWLANA -> KASTRA BUDOWLANA) when both halves
    are catalogue words or their beginnings and the whole is not."""
    words: list[str] = []
    for word in tokens.words:
        words.extend(_split_word(index, word) if len(word) >= 8 and word.isalpha() else (word,))
    return replace(tokens, words=tuple(words)) if len(words) != len(tokens.words) else tokens


def _split_word(index: CatalogueIndex, word: str) -> tuple[str, ...]:
    vocab = index.vocab
    if word in vocab.ids or word in vocab.prefixes:
        return (word,)
    for cut in range(len(word) - 4, 3, -1):
        left, right = word[:cut], word[cut:]
        if (left in vocab.ids or left in vocab.prefixes) and (right in vocab.ids or right in vocab.prefixes):
            return left, right
    return (word,)


def _lookups(index: CatalogueIndex, tokens: NameTokens) -> list[dict[int, float]]:
    """For each line token, the vocabulary tokens it may stand for (with similarity)."""
    lookups = [index.vocab.lookup(w, word=True) for w in tokens.words]
    lookups += [index.vocab.lookup(q.token, word=False) for q in tokens.quantities]
    return lookups + [index.vocab.lookup(t, word=False) for t in (*tokens.dims, *tokens.numbers)]


@dataclass(frozen=True)
class _LineLookups:
    found: list[dict[int, float]]  # per line token: vocabulary id -> similarity
    weights: list[float]  # per line token: its IDF weight (an unknown word weighs like the rarest)
    best: dict[int, float]  # vocabulary id -> best similarity to any line token
    by_vid: dict[int, list[tuple[int, float]]]  # vocabulary id -> (line token, similarity)

    @property
    def total(self) -> float:
        return sum(self.weights)


def _weigh(index: CatalogueIndex, lookups: list[dict[int, float]]) -> _LineLookups:
    weights, best, by_vid = [], {}, {}
    for n, found in enumerate(lookups):
        top = max(found, key=lambda v: (found[v], index.idf_list[v]), default=None)
        weights.append(index.unknown_weight if top is None else index.idf_list[top])
        for vid, sim in found.items():
            if best.get(vid, 0.0) < sim:
                best[vid] = sim
            by_vid.setdefault(vid, []).append((n, sim))
    return _LineLookups(lookups, weights, best, by_vid)


def _shortlist(index: CatalogueIndex, line: _LineLookups) -> np.ndarray:
    """Doc numbers of the best SHORTLIST names by a fast approximate score over the inverted index
    (a name matching one line token through two of its words counts twice here; exact scores follow)."""
    if not line.by_vid:
        return np.empty(0, dtype=np.int64)
    vids = list(line.by_vid)
    postings = [index.postings[vid] for vid in vids]
    lengths = [len(p) for p in postings]
    docs = np.concatenate(postings)
    line_values = [sum(line.weights[n] * sim for n, sim in line.by_vid[vid]) for vid in vids]
    name_values = [index.idf_list[vid] * line.best[vid] for vid in vids]
    n = len(index.docs)
    line_acc = np.bincount(docs, weights=np.repeat(line_values, lengths), minlength=n)
    name_acc = np.bincount(docs, weights=np.repeat(name_values, lengths), minlength=n)
    candidates = np.flatnonzero(line_acc)
    approx = (LINE_SHARE * np.minimum(line_acc[candidates] / line.total, 1.0)
              + (1 - LINE_SHARE) * name_acc[candidates] / index.doc_weight[candidates])
    k = min(SHORTLIST, len(candidates))
    return candidates[np.argpartition(-approx, k - 1)[:k]]


def _exact_score(index: CatalogueIndex, doc_no: int, line: _LineLookups) -> float:
    """0..100: LINE_SHARE of the line explained by the name plus the rest of the name shown on the line."""
    vids, idf = index.docs[doc_no].vids, index.idf_list
    per_token: dict[int, float] = {}
    shown = 0.0
    for vid in vids:
        for n, sim in line.by_vid.get(vid, ()):
            if per_token.get(n, 0.0) < sim:
                per_token[n] = sim
        shown += idf[vid] * line.best.get(vid, 0.0)
    covered = sum(line.weights[n] * sim for n, sim in per_token.items())
    return 100.0 * (LINE_SHARE * covered / line.total + (1 - LINE_SHARE) * shown / index.doc_weight_list[doc_no])


def _rank_products(index: CatalogueIndex, tokens: NameTokens, line: _LineLookups,
                   thresholds: MatchThresholds) -> list[_Ranked]:
    """Best-scoring products (one entry each, best name), sizes checked, highest first."""
    by_product: dict[int, _Ranked] = {}
    for doc_no in _shortlist(index, line):
        doc = index.docs[doc_no]
        score = _exact_score(index, int(doc_no), line)
        if score <= 0:
            continue
        conflict = _conflicts(tokens, doc.sizes, doc.raw_sizes, doc.dims)
        if conflict:
            score = min(score, thresholds.conflict_cap)
        if doc.product not in by_product or by_product[doc.product].score < score:
            by_product[doc.product] = _Ranked(doc.product, int(doc_no), score, conflict)
    return sorted(by_product.values(), key=lambda r: (-r.score, index.products[r.product].id))


def _foreign_word(tokens: NameTokens, lookups: list[dict[int, float]]) -> bool:
    """The line has a real word the catalogue has never seen (not even as a prefix or near spelling): a
    brand or a product the programme does not hold, so no product is suggested."""
    return any(len(word) >= 4 and word.isalpha() and not found
               for word, found in zip(tokens.words, lookups[: len(tokens.words)], strict=True))


def _explains(doc: Doc, lookups: list[dict[int, float]]) -> bool:
    """Every word printed on the line stands for some word of this name (no stray brand or product word)."""
    return all(max((found.get(v, 0.0) for v in doc.vids), default=0.0) >= EXPLAINED for found in lookups)


def _conflicts(line: NameTokens, sizes: Mapping[str, frozenset], raw_sizes: Mapping[str, frozenset],
               dims: frozenset[str]) -> bool:
    """A size on the line contradicts the name's size in the same dimension (25KG vs 5 kg). The same number
    with a misread unit (110M for 110 mm) is not a contradiction; a cut-off dimension (1200X30) is not either."""
    for quantity in line.quantities:
        values = sizes.get(quantity.dimension)
        if values and quantity.value not in values and quantity.raw not in raw_sizes.get(quantity.dimension, ()):
            return True
    return bool(dims) and any(d not in dims and not any(x.startswith(d) for x in dims) for d in line.dims)


def _name_conflicts(line: NameTokens, name: NameTokens) -> bool:
    sizes: dict[str, set] = {}
    raw: dict[str, set] = {}
    for quantity in name.quantities:
        sizes.setdefault(quantity.dimension, set()).add(quantity.value)
        raw.setdefault(quantity.dimension, set()).add(quantity.raw)
    return _conflicts(line, {k: frozenset(v) for k, v in sizes.items()}, {k: frozenset(v) for k, v in raw.items()},
                      frozenset(name.dims))

