"""Merging the extractions of a claim's pages (workers.merge)."""

from __future__ import annotations

from workers.merge import merge_extractions


def _page(kind: str, **fields: tuple[str, bool]) -> dict:
    return {"kind": kind, "fields": {name: {"value": v, "sure": sure} for name, (v, sure) in fields.items()}}


def test_first_value_of_each_field_wins_in_page_order():
    merged = merge_extractions([_page("receipt", total=("10.00", True)), _page("receipt", total=("99.00", False),
                                                                                 date=("2026-11-02", False))])
    assert merged.fields == {"total": "10.00", "date": "2026-11-02"} and merged.sure == ("total",)
    assert merged.kind == "receipt" and merged.readable


def test_noise_read_off_a_blurred_photo_is_not_a_readable_claim():
    merged = merge_extractions([_page("unknown", seller_name=("U NODZE GORY", False))])
    assert merged.fields == {"seller_name": "U NODZE GORY"} and not merged.readable


def test_a_key_field_makes_a_page_readable_even_of_unknown_kind():
    assert merge_extractions([_page("unknown", total=("12.50", False))]).readable
