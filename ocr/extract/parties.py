"""Split an invoice's Sprzedawca (seller) and Nabywca (buyer) blocks, side by side or stacked."""

from __future__ import annotations

import re

from ocr.extract.text import TextLine, edit_distance, fold_lower, sub_line
from ocr.model import Word


class _Label:
    """A party label ("Sprzedawca", "Nabywca"), also as OCR misreads it by one letter ("Sprzedlawca",
    "Nabywoa"): a word within one edit of a label word that keeps its first two letters and its last one, so
    the inflections printed elsewhere on an invoice ("podpis nabywcy", "sprzedawcy") stay other words."""

    _WORD = re.compile(r"[a-z]{5,}")
    _OTHER_WORDS = frozenset({"dostawa", "wystawa"})  # one letter from "dostawca", "wystawca": other words

    def __init__(self, *words: str) -> None:
        self._exact = re.compile("|".join(words))
        self._words = words

    def _near(self, token: str) -> bool:
        return token not in self._OTHER_WORDS and any(
            token[:2] == word[:2] and token[-1] == word[-1] and edit_distance(token, word, 1) <= 1
            for word in self._words
        )

    def search(self, folded: str) -> bool:
        """Tell whether folded text holds the label, exactly or one letter off."""
        return bool(self._exact.search(folded)) or any(self._near(m.group(0)) for m in self._WORD.finditer(folded))


_SELLER = _Label("sprzedawca", "wystawca", "dostawca")
_BUYER = _Label("nabywca", "odbiorca", "kupujacy", "platnik")
_END = re.compile(r"^\s*(?:lp\b|l\.p|nazwa\s*towaru|nazwa\s*uslugi|pozycj|sposob\s*platnosci|forma\s*platnosci)")
_MAX_BLOCK = 7
#: A skewed photo tilts a side-by-side row: the labels of its two columns stand this many label heights apart
#: (centre to centre) at most, and the line grouping may then cut them into two lines
_TILTED_ROW = 2.0


def _sub_line(line: TextLine, words: list[Word], label: _Label | None = None) -> TextLine | None:
    """Build a TextLine from some of a line's words, dropping a leading label (e.g. "Sprzedawca:")."""
    if label is not None:
        while words and (label.search(fold_lower(words[0].text)) or fold_lower(words[0].text).strip(":") == ""):
            words = words[1:]
    return sub_line(line, words)


def _label_word(line: TextLine, label: _Label) -> Word | None:
    """Return the word carrying `label` on a line, if any."""
    return next((word for word in line.line.words if label.search(fold_lower(word.text))), None)


def _label_word_x(line: TextLine, label: _Label) -> float | None:
    """Return the left x of the word carrying `label` on a line, if any."""
    word = _label_word(line, label)
    return word.box.x if word is not None else None


def _tilted_row(seller_head: TextLine, buyer_head: TextLine) -> float | None:
    """Return the buyer column's left x when the two labels, read on different lines, are one tilted row of
    side-by-side columns: on the same page, the buyer's label right of the seller's, their centres less than
    `_TILTED_ROW` label heights apart. Else None (stacked blocks: the labels share a column).

    A photo taken a few degrees askew lifts the right column above the left one by more than the line
    grouping allows: "Nabywca:" then opens a line of its own, the seller's label the next, and every row
    below mixes the two columns, so cutting them as stacked blocks gives the seller the buyer's NIP.
    """
    if seller_head.page != buyer_head.page:
        return None
    seller, buyer = _label_word(seller_head, _SELLER), _label_word(buyer_head, _BUYER)
    if seller is None or buyer is None or buyer.box.x < seller.box.x + seller.box.w:
        return None
    height = max(seller.box.h, buyer.box.h, 1.0)
    rise = abs((seller.box.y + seller.box.h / 2) - (buyer.box.y + buyer.box.h / 2))
    return buyer.box.x if rise < _TILTED_ROW * height else None


def _side_by_side(
    lines: list[TextLine], head: TextLine, split: float, last_head: TextLine | None = None
) -> tuple[list[TextLine], list[TextLine]]:
    """Cut the lines from a label line (through `last_head`, the other label's line of a tilted row) at
    x = `split` into seller and buyer columns."""
    seller: list[TextLine] = []
    buyer: list[TextLine] = []
    last = max(head.index, last_head.index) if last_head is not None else head.index
    for line in lines[head.index : last + 1 + _MAX_BLOCK]:
        if line.index > last and (_END.search(line.folded) or _SELLER.search(line.folded)):
            break
        left = [w for w in line.line.words if w.box.x < split - 1]
        right = [w for w in line.line.words if w.box.x >= split - 1]
        for words, column in ((left, seller), (right, buyer)):
            sub = _sub_line(line, words, _SELLER if column is seller else _BUYER)
            if sub is not None:
                column.append(sub)
    return seller, buyer


def _stacked(lines: list[TextLine], start: TextLine, label: _Label, stop: _Label) -> list[TextLine]:
    """Collect the block under a label line until the other party's label or the table starts."""
    block: list[TextLine] = []
    first = _sub_line(start, list(start.line.words), label) if start.line.words else None
    if first is not None:
        block.append(first)
    for line in lines[start.index + 1 : start.index + 1 + _MAX_BLOCK]:
        if stop.search(line.folded) or _END.search(line.folded):
            break
        block.append(line)
    return block


def party_blocks(lines: list[TextLine]) -> tuple[list[TextLine], list[TextLine]]:
    """Return (seller lines, buyer lines) of an invoice, empty lists when a label is missing.

    Args:
        lines: the document lines with word positions.

    Returns:
        The lines of each party block with the label words removed; for side-by-side layouts (also when a
        tilted photo puts the two labels on two lines, `_tilted_row`) each line is cut at the x position of
        the buyer label.
    """
    seller_head = next((line for line in lines if _SELLER.search(line.folded)), None)
    buyer_head = next((line for line in lines if _BUYER.search(line.folded)), None)
    if seller_head is not None and seller_head is buyer_head:
        split = _label_word_x(seller_head, _BUYER)
        seller_x = _label_word_x(seller_head, _SELLER)
        if split is not None and seller_x is not None and seller_x < split:
            return _side_by_side(lines, seller_head, split)
    elif seller_head is not None and buyer_head is not None:
        split = _tilted_row(seller_head, buyer_head)
        if split is not None:
            first, last = sorted((seller_head, buyer_head), key=lambda line: line.index)
            return _side_by_side(lines, first, split, last)
    seller = _stacked(lines, seller_head, _SELLER, _BUYER) if seller_head else []
    buyer = _stacked(lines, buyer_head, _BUYER, _SELLER) if buyer_head else []
    return seller, buyer
