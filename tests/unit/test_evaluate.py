"""Scoring rules of `paragon eval` (the SROIE README's normalisation) and the data-set loaders."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest

from ocr import ReaderConfig
from paragon.evaluate import (
    FieldScore,
    Outcome,
    Progress,
    build_report,
    field_matches,
    format_report,
    load_documents,
    normalise_text,
    parse_amount,
    parse_date,
    score_document,
    with_reader_options,
)


def test_text_is_trimmed_collapsed_and_upper_cased():
    assert normalise_text("  Mr  D.I.Y. (M)\tSdn Bhd ") == "MR D.I.Y. (M) SDN BHD"


@pytest.mark.parametrize(
    ("text", "value"),
    [("9.00", "9.00"), ("RM 29.70", "29.70"), ("$8.20", "8.20"), ("1 234,56", "1234.56"), ("1,234.50", "1234.50")],
)
def test_amounts_are_compared_as_numbers(text, value):
    assert parse_amount(text) == Decimal(value)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("25/12/2018", dt.date(2018, 12, 25)),
        ("18-11-18", dt.date(2018, 11, 18)),
        ("1/9/2017", dt.date(2017, 9, 1)),
        ("2018-12-25", dt.date(2018, 12, 25)),
        ("25.12.2018", dt.date(2018, 12, 25)),
        ("03 MAR 2018", dt.date(2018, 3, 3)),
        ("30 DEC 17", dt.date(2017, 12, 30)),
        ("05-JAN-2017", dt.date(2017, 1, 5)),
        ("20180304", dt.date(2018, 3, 4)),
        ("25032018", dt.date(2018, 3, 25)),
    ],
)
def test_label_dates_in_every_sroie_form_parse_day_first(text, date):
    assert parse_date(text) == date


def test_date_fields_match_as_calendar_dates():
    assert field_matches("date", "25/12/2018", "2018-12-25")
    assert not field_matches("date", "25/12/2018", "2018-12-24")
    assert not field_matches("date", "25/12/2018", None)


def test_total_matches_as_decimal_and_text_fields_after_normalising():
    assert field_matches("total", "RM 9.0", "9.00")
    assert not field_matches("total", "9.00", "9.60")
    assert field_matches("seller_name", "BOOK TA .K SDN BHD", "book ta .k  sdn bhd ")
    assert not field_matches("seller_name", "BOOK TA .K SDN BHD", "BOOK TA _K SDN BHD")


def test_a_value_read_for_a_field_labelled_absent_is_wrong():
    assert Outcome("date", None, None, False).right
    assert not Outcome("date", None, "2022-01-01", True).right


def _result(fields, sure=(), seconds=1.0):
    return {"fields": fields, "sure": list(sure), "seconds": seconds, "error": None}


def test_scores_count_accuracy_coverage_and_sure_precision():
    labels = {"total": "10.00", "date": "2026-01-02", "seller_nip": None}
    results = [
        ("a", labels, _result({"total": "10.00", "date": None, "seller_nip": None}, sure=["total"])),
        ("b", labels, _result({"total": "11.00", "date": "2026-01-02", "seller_nip": "1234563218"},
                              sure=["total", "seller_nip"], seconds=3.0)),
    ]
    report = build_report(results)
    total, date, nip = (report.fields[n].to_dict() for n in ("total", "date", "seller_nip"))
    assert (total["right"], total["labelled"], total["sure"], total["sure_right"]) == (1, 2, 2, 1)
    assert (date["accuracy"], date["coverage"], date["sure_precision"]) == (0.5, 0.5, None)
    assert (nip["labelled"], nip["sure"], nip["sure_right"]) == (0, 1, 0)
    summary = report.to_dict()
    assert summary["median_seconds"] == 2.0
    assert summary["sure_precision"] == pytest.approx(1 / 3, abs=1e-3)
    assert [f["file"] for f in report.failures] == ["a", "b"]


def test_only_labelled_names_are_scored():
    outcomes = score_document({"total": "1.00"}, _result({"total": "1.00", "date": "2026-01-01"}))
    assert [o.name for o in outcomes] == ["total"]


def test_report_text_lists_fields_and_failures():
    report = build_report([("x.jpg", {"total": "2.00"}, _result({"total": "3.00"}, sure=["total"]))])
    text = format_report(report, show_failures=True)
    assert "total" in text and "0/1" in text
    assert "x.jpg: total: want '2.00' got '3.00' SURE" in text


def test_field_score_ratios_are_none_without_a_denominator():
    assert FieldScore().to_dict()["accuracy"] is None


def test_sroie_keys_are_renamed_to_our_schema(tmp_path):
    (tmp_path / "img").mkdir()
    (tmp_path / "key").mkdir()
    (tmp_path / "img" / "X1.jpg").write_bytes(b"jpg")
    key = {"company": "A SDN BHD", "date": "01/02/2018", "address": "NO 1, JALAN", "total": "9.00"}
    (tmp_path / "key" / "X1.json").write_text(json.dumps(key))
    (tmp_path / "key" / "X2.json").write_text(json.dumps(key))  # no image: skipped
    [doc] = load_documents(tmp_path, "sroie")
    assert doc.name == "X1.jpg"
    assert doc.expected == {"seller_name": "A SDN BHD", "seller_address": "NO 1, JALAN", "date": "01/02/2018",
                            "total": "9.00"}


@pytest.mark.parametrize("shape", ["list", "mapping"])
def test_paragon_labels_as_list_or_mapping_keep_schema_fields(tmp_path, shape):
    entry = {"kind": "receipt", "seller_nip": "8550004295", "date": None, "total": 52.83, "notes": "x"}
    data = [{"file": "a.jpg", **entry}] if shape == "list" else {"a.jpg": entry}
    (tmp_path / "labels.json").write_text(json.dumps(data))
    [doc] = load_documents(tmp_path, "paragon", fields=["seller_nip", "date", "total"])
    assert doc.path == tmp_path / "a.jpg"
    assert doc.expected == {"seller_nip": "8550004295", "date": None, "total": "52.83"}


def test_progress_bar_shows_done_total_and_rate():
    stream = io.StringIO()
    bar = Progress(2, stream, width=10)
    bar.step()
    bar.step()
    assert "[##########] 2/2" in stream.getvalue()
    assert stream.getvalue().endswith("s/doc\n")


def test_reader_options_override_settings_by_their_type():
    config = with_reader_options(ReaderConfig(), ["dewarp=false", "fallback-psm=none", "psm=4", "timeout_s=5"])
    assert (config.dewarp, config.fallback_psm, config.psm, config.timeout_s) == (False, None, 4, 5.0)
    assert with_reader_options(ReaderConfig(fallback_psm=None), ["fallback_psm=4"]).fallback_psm == 4


@pytest.mark.parametrize("option", ["colour=red", "dewarp", "dewarp=maybe", "psm=six"])
def test_reader_option_errors_name_the_setting(option):
    with pytest.raises(ValueError, match="reader setting"):
        with_reader_options(ReaderConfig(), [option])
