"""The catalogue prepared for matching: vocabulary, inverted index, prefix and OCR-confusion lookups.

Built once per catalogue version (0.3 s for 2,000 products, about 4 s for 50,000) and shared by every match;
it is read-only afterwards. Each product contributes one document per name and alias; a document is its tokens
(see verification.normalise). A line token finds vocabulary tokens by: exact text, OCR-confusable text
(C2TE ~ CZTE), prefix (a till's truncation: ELAST -> ELASTYCZNA, also with an OCR slip: KOI -> KOLEK),
consonant skeleton (PNK -> PIANKA), the same number with a unit (25 -> 25SZT, a cut 1 -> 10CM weakly), and,
when none of those is close, rapidfuzz ratio against word beginnings of the same length (CFRAM -> CERAMICZNA).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np
from rapidfuzz import fuzz, process

from verification.normalise import NameTokens, confusable, normalise_name, skeleton, tokenise
from verification.programme import Product

EXACT, CONFUSED, SKELETON, NUMBER_WITH_UNIT = 1.0, 0.9, 0.8, 0.85
NUMBER_CUT = 0.6  # "1" at the end of a cut line may be the start of 10 cm, 18 cm...
PREFIX_BY_LENGTH = {2: 0.7, 3: 0.82, 4: 0.88}
PREFIX_LONG = 0.92
CONFUSED_PREFIX = 0.85  # a truncated word with an OCR confusion (KOI. for KOL.)
FUZZY_MIN, FUZZY_SCALE = 75.0, 0.8  # rapidfuzz ratio against word beginnings of the same length


@dataclass(frozen=True)
class Doc:
    """One name (or alias) of a product, as matching compares it."""

    product: int  # position in CatalogueIndex.products
    vids: tuple[int, ...]
    sizes: Mapping[str, frozenset[Decimal]]  # dimension -> canonical values
    raw_sizes: Mapping[str, frozenset[str]]  # dimension -> numbers as printed (110 of "110 mm")
    dims: frozenset[str]


def prefix_similarity(length: int) -> float:
    return PREFIX_BY_LENGTH.get(length, PREFIX_LONG)


class Vocabulary:
    """Token texts <-> ids, with the lookups a till's spelling needs."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.texts: list[str] = []
        self.prefixes: dict[str, set[int]] = defaultdict(set)
        self.confused_prefixes: dict[str, set[int]] = defaultdict(set)
        self.skeletons: dict[str, set[int]] = defaultdict(set)
        self.confusables: dict[str, set[int]] = defaultdict(set)
        self.by_number: dict[str, set[int]] = defaultdict(set)
        self.by_number_prefix: dict[str, set[int]] = defaultdict(set)
        self.beginnings: dict[int, list[str]] = defaultdict(list)  # length -> distinct word beginnings

    def add(self, text: str, *, word: bool, raw_number: str | None = None) -> int:
        if text in self.ids:
            return self.ids[text]
        vid = self.ids[text] = len(self.texts)
        self.texts.append(text)
        self.confusables[confusable(text)].add(vid)
        if raw_number is not None:
            self.by_number[raw_number].add(vid)
            for n in range(1, len(raw_number)):
                self.by_number_prefix[raw_number[:n]].add(vid)
        if word:
            self._add_word(text, vid)
        return vid

    def _add_word(self, text: str, vid: int) -> None:
        shape, confused = skeleton(text), confusable(text)
        for n in range(2, len(text) + 1):
            if n < len(text):
                self.prefixes[text[:n]].add(vid)
                self.confused_prefixes[confused[:n]].add(vid)
            self.beginnings[n].append(text[:n])
        for n in range(3, len(shape) + 1):
            self.skeletons[shape[:n]].add(vid)

    def freeze(self) -> None:
        """Distinct beginnings per length, for the fuzzy lookup."""
        self.beginnings = {n: sorted(set(items)) for n, items in self.beginnings.items()}

    def with_prefix(self, beginning: str) -> set[int]:
        vid = self.ids.get(beginning)
        found = set(self.prefixes.get(beginning, ()))
        return found | {vid} if vid is not None else found

    def lookup(self, token: str, *, word: bool) -> dict[int, float]:
        """Vocabulary ids this line token may stand for, with a similarity in 0..1."""
        found: dict[int, float] = {}

        def offer(vids: Iterable[int], sim: float) -> None:
            for vid in vids:
                if found.get(vid, 0.0) < sim:
                    found[vid] = sim

        if token in self.ids:
            offer((self.ids[token],), EXACT)
        offer(self.confusables.get(confusable(token), ()), CONFUSED)
        offer(self.by_number.get(token, ()), NUMBER_WITH_UNIT)
        offer(self.by_number_prefix.get(token, ()), NUMBER_CUT)
        if len(token) >= 2:
            offer(self.prefixes.get(token, ()), prefix_similarity(len(token)) * (1.0 if word else 0.7))
        if word and len(token) >= 3:
            offer(self.confused_prefixes.get(confusable(token), ()), CONFUSED_PREFIX)
            offer(self.skeletons.get(token, ()), SKELETON)
        if word and len(token) >= 4 and max(found.values(), default=0.0) < PREFIX_BY_LENGTH[4]:
            self._offer_fuzzy(token, offer)
        return found

    def _offer_fuzzy(self, token: str, offer: Callable[[Iterable[int], float], None]) -> None:
        """OCR damage (KLEI, CFRAM., NIETOWY): rapidfuzz ratio against word beginnings of the same length."""
        choices = self.beginnings.get(len(token), [])
        for text, score, _ in process.extract(token, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN, limit=5):
            offer(self.with_prefix(text), FUZZY_SCALE * score / 100.0)


def _sizes(tokens: NameTokens, raw: bool = False) -> dict[str, frozenset]:
    sizes: dict[str, set] = defaultdict(set)
    for quantity in tokens.quantities:
        sizes[quantity.dimension].add(quantity.raw if raw else quantity.value)
    return {dim: frozenset(values) for dim, values in sizes.items()}


class CatalogueIndex:
    """Products ready to be matched; build once with `CatalogueIndex.build(products)`."""

    def __init__(self, products: tuple[Product, ...], vocab: Vocabulary, docs: tuple[Doc, ...],
                 partner_names: Mapping[int, Mapping[str, int]]) -> None:
        self.products = products
        self.position = {p.id: i for i, p in enumerate(products)}
        self.by_ean = {p.ean: i for i, p in enumerate(products) if p.ean}
        # GTIN-8/12/13/14 are one number space: compared without leading zeros (GTIN-14 0590... == EAN 590...)
        self.by_ean_digits = {p.ean.lstrip("0"): i for i, p in enumerate(products) if p.ean}
        self.vocab = vocab
        self.docs = docs
        self.partner_names = partner_names
        df = np.zeros(len(vocab.texts))
        postings: list[list[int]] = [[] for _ in vocab.texts]
        for n, doc in enumerate(docs):
            for vid in doc.vids:
                postings[vid].append(n)
                df[vid] += 1
        self.postings = [np.asarray(p, dtype=np.int32) for p in postings]
        self.idf = np.log1p(len(docs) / np.maximum(df, 1))
        self.idf_list: list[float] = self.idf.tolist()
        self.doc_weight_list = [sum(self.idf_list[v] for v in d.vids) for d in docs]
        self.doc_weight = np.asarray(self.doc_weight_list)
        #: a line word the catalogue has never seen (another brand, another product) weighs like the rarest word
        self.unknown_weight = float(self.idf.max()) if len(self.idf) else math.log(2)

    @classmethod
    def build(cls, products: Iterable[Product]) -> CatalogueIndex:
        """Index every product's name and aliases, and its partners' own names."""
        products = tuple(products)
        vocab, docs = Vocabulary(), []
        partner_names: dict[int, dict[str, int]] = defaultdict(dict)
        for position, product in enumerate(products):
            for name in (product.name, *product.aliases):
                docs.append(_doc(vocab, position, tokenise(name)))
            for partner_id, names in product.partner_names.items():
                for name in names:
                    partner_names[partner_id][normalise_name(name)] = position
        vocab.freeze()
        return cls(products, vocab, tuple(docs), {k: dict(v) for k, v in partner_names.items()})

    def with_partner_names(self, product_id: int, partner_names: Mapping[int, tuple[str, ...]]) -> CatalogueIndex:
        """A copy whose product `product_id` has these partner names added (cheap: the name index is shared).

        A printed name already learned for another product of the same partner now points to this one.
        """
        position = self.position[product_id]
        products = list(self.products)
        products[position] = replace(products[position], partner_names=dict(partner_names))
        names: dict[int, dict[str, int]] = {k: dict(v) for k, v in self.partner_names.items()}
        for partner_id, printed in partner_names.items():
            for name in printed:
                names.setdefault(partner_id, {})[normalise_name(name)] = position
        clone = object.__new__(CatalogueIndex)
        clone.__dict__.update(self.__dict__)
        clone.products, clone.partner_names = tuple(products), names
        return clone

    def __len__(self) -> int:
        return len(self.products)


def _doc(vocab: Vocabulary, position: int, tokens: NameTokens) -> Doc:
    vids = [vocab.add(w, word=True) for w in tokens.words]
    vids += [vocab.add(q.token, word=False, raw_number=q.raw) for q in tokens.quantities]
    vids += [vocab.add(d, word=True) for d in tokens.dims]
    vids += [vocab.add(n, word=False) for n in tokens.numbers]
    return Doc(position, tuple(dict.fromkeys(vids)), _sizes(tokens), _sizes(tokens, raw=True),
               frozenset(tokens.dims))
