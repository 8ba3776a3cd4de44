"""`paragon eval`: read a labelled set of documents and score the extracted fields against the labels.

Two layouts are understood:

* ``sroie``: ``img/ID.jpg`` with ``key/ID.json`` ({"company", "date", "address", "total"}), scored the way
  the SROIE README says (trimmed, spaces collapsed, upper-cased; total as a number; date as a date);
* ``paragon``: any files plus ``labels.json``, either a list of {"file": name, field: value, ...} or a
  mapping {name: {field: value, ...}}, with fields in our schema (seller_nip, date YYYY-MM-DD, total "12.34").

A label set to null means "not on the document": a value read there is wrong (and counted as a wrong `sure`
when marked sure). A field missing from a label is not scored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from ocr import ReaderConfig, extract_file_result
from vocabulary.fields import FIELD_NAMES
from vocabulary.numbers import parse_decimal

SROIE_FIELDS = {"company": "seller_name", "address": "seller_address", "date": "date", "total": "total"}
_MONTHS = {m: i for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
                                       "NOV", "DEC"), start=1)}
_NUMERIC_DATE = re.compile(r"(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})")
_WORDED_DATE = re.compile(r"(\d{1,2})[\s\-./]*([A-Z]{3})[A-Z]*[\s\-./,]*(\d{2,4})")
_AMOUNT_FIELDS = ("total", "vat_total")
_DATE_FIELDS = ("date", "issue_date")


def with_reader_options(config: ReaderConfig, options: Iterable[str]) -> ReaderConfig:
    """Return `config` with NAME=VALUE overrides applied (to compare reader variants on one data set).

    Raises:
        ValueError: an unknown setting, or a value that does not parse as the setting's type.
    """
    changes: dict[str, Any] = {}
    defaults = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
    for option in options:
        name, sep, raw = option.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in defaults:
            raise ValueError(f"unknown reader setting {option!r} (known: {', '.join(sorted(defaults))})")
        changes[name] = _parse_option(name, raw.strip(), defaults[name])
    return dataclasses.replace(config, **changes)


def _parse_option(name: str, raw: str, current: object) -> object:
    """Parse a reader setting's value the way its current value is typed (bool, int, float, str, None)."""
    if raw.lower() in ("none", "null"):
        return None
    try:
        if isinstance(current, bool):
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes", "on")
        if isinstance(current, int) or current is None and raw.lstrip("-").isdigit():
            return int(raw)
        if isinstance(current, float):
            return float(raw)
    except ValueError:
        raise ValueError(f"reader setting {name}: {raw!r} is not a {type(current).__name__}") from None
    return raw


# --------------------------------------------------------------------------- scoring (pure)


def normalise_text(value: str) -> str:
    """Trim, collapse runs of whitespace to one space and upper-case (the SROIE rule)."""
    return re.sub(r"\s+", " ", value).strip().upper()


def parse_amount(value: str) -> Decimal | None:
    """Parse a money label or reading ("RM 29.70", "$8.20", "1 234,56", "12.30") into a Decimal."""
    text = re.sub(r"[^\d,.\-]", "", value)
    if re.search(r",\d{2}$", text):
        text = text.replace(".", "").replace(",", ".")
    return parse_decimal(text.replace(",", ""))


def _year(text: str) -> int:
    """Expand a two-digit year to 20YY."""
    return int(text) + 2000 if len(text) <= 2 else int(text)


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    """Return the date, or None when it does not exist."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(value: str) -> dt.date | None:
    """Parse a labelled or read date: 2018-12-25, 25/12/2018, 18-11-18, 25.12.2018, 03 MAR 2018, 20180304.

    Day-first unless the first number has four digits; eight bare digits are YYYYMMDD when that is a valid
    date starting with 19xx/20xx, else DDMMYYYY.
    """
    text = normalise_text(value)
    if re.fullmatch(r"\d{8}", text):
        first = _safe_date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if first and text[:2] in ("19", "20"):
            return first
        return _safe_date(int(text[4:]), int(text[2:4]), int(text[:2]))
    match = _NUMERIC_DATE.search(text)
    if match:
        a, b, c = match.groups()
        if len(a) == 4:
            return _safe_date(int(a), int(b), int(c))
        return _safe_date(_year(c), int(b), int(a))
    match = _WORDED_DATE.search(text)
    if match and match.group(2) in _MONTHS:
        return _safe_date(_year(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
    return None


def field_matches(name: str, expected: str, got: str | None) -> bool:
    """Tell whether a read value counts as right for a labelled one (amounts and dates compared as values)."""
    if got is None:
        return False
    if name in _AMOUNT_FIELDS:
        want, have = parse_amount(expected), parse_amount(got)
        return want is not None and want == have
    if name in _DATE_FIELDS:
        want_date = parse_date(expected)
        return want_date is not None and want_date == parse_date(got)
    return normalise_text(expected) == normalise_text(got)


@dataclass(frozen=True)
class Outcome:
    """How one field of one document fared."""

    name: str
    expected: str | None
    got: str | None
    sure: bool

    @property
    def labelled(self) -> bool:
        """Tell whether the document shows the field (its label is not null)."""
        return self.expected is not None

    @property
    def right(self) -> bool:
        """Tell whether the reading is right (an absent field must stay empty)."""
        if self.expected is None:
            return self.got is None
        return field_matches(self.name, self.expected, self.got)


def score_document(expected: Mapping[str, str | None], result: Mapping[str, Any]) -> list[Outcome]:
    """Compare one `extract_file_result` output with its labels, field by field (only labelled names)."""
    fields = result.get("fields") or {}
    sure = set(result.get("sure") or [])
    return [Outcome(name, want, fields.get(name), name in sure) for name, want in expected.items()]


@dataclass
class FieldScore:
    """Counts for one field over a data set."""

    labelled: int = 0
    right: int = 0
    found: int = 0
    sure: int = 0
    sure_right: int = 0

    def add(self, outcome: Outcome) -> None:
        """Count one outcome; fields labelled null only count towards `sure` precision."""
        if outcome.labelled:
            self.labelled += 1
            self.right += outcome.right
            self.found += outcome.got is not None
        if outcome.sure and outcome.got is not None:
            self.sure += 1
            self.sure_right += outcome.right

    @staticmethod
    def _ratio(num: int, den: int) -> float | None:
        return round(num / den, 4) if den else None

    def to_dict(self) -> dict[str, Any]:
        """Return counts and ratios (None where the denominator is zero)."""
        return {
            "labelled": self.labelled,
            "right": self.right,
            "found": self.found,
            "sure": self.sure,
            "sure_right": self.sure_right,
            "accuracy": self._ratio(self.right, self.labelled),
            "coverage": self._ratio(self.found, self.labelled),
            "sure_precision": self._ratio(self.sure_right, self.sure),
        }


@dataclass
class Report:
    """The scores of one evaluation run."""

    fields: dict[str, FieldScore] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)
    errors: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def sure_overall(self) -> FieldScore:
        """Return the sure counts summed over all fields."""
        total = FieldScore()
        total.sure = sum(s.sure for s in self.fields.values())
        total.sure_right = sum(s.sure_right for s in self.fields.values())
        return total

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape printed by `paragon eval --json`."""
        overall = self.sure_overall
        return {
            "documents": len(self.seconds),
            "errors": self.errors,
            "median_seconds": round(statistics.median(self.seconds), 3) if self.seconds else None,
            "fields": {name: score.to_dict() for name, score in self.fields.items()},
            "sure_precision": FieldScore._ratio(overall.sure_right, overall.sure),
            "sure": overall.sure,
            "failures": self.failures,
        }


def build_report(results: Iterable[tuple[str, Mapping[str, str | None], Mapping[str, Any]]]) -> Report:
    """Score (name, labels, result) triples into a report, keeping the wrong fields per file."""
    report = Report()
    for name, expected, result in results:
        report.seconds.append(float(result.get("seconds") or 0.0))
        report.errors += result.get("error") is not None
        wrong = []
        for outcome in score_document(expected, result):
            report.fields.setdefault(outcome.name, FieldScore()).add(outcome)
            if not outcome.right:
                wrong.append({"field": outcome.name, "expected": outcome.expected, "got": outcome.got,
                              "sure": outcome.sure})
        if wrong:
            report.failures.append({"file": name, "wrong": wrong, "error": result.get("error")})
    return report


def _percent(value: float | None) -> str:
    return "   -  " if value is None else f"{100 * value:5.1f}%"


def format_report(report: Report, show_failures: bool = False) -> str:
    """Render the report as a plain-text table (and the failures when asked)."""
    rows = [f"{'field':<16}{'right':>10}{'accuracy':>10}{'coverage':>10}{'sure':>8}{'sure prec.':>12}"]
    for name, score in report.fields.items():
        data = score.to_dict()
        rows.append(
            f"{name:<16}{f'{score.right}/{score.labelled}':>10}{_percent(data['accuracy']):>10}"
            f"{_percent(data['coverage']):>10}{score.sure:>8}{_percent(data['sure_precision']):>12}"
        )
    summary = report.to_dict()
    rows.append(f"documents {summary['documents']}, errors {summary['errors']}, "
                f"median {summary['median_seconds']} s/doc, sure precision (all fields) "
                f"{_percent(summary['sure_precision']).strip()} of {summary['sure']}")
    if show_failures:
        rows.append("")
        for failure in report.failures:
            wrong = "; ".join(f"{w['field']}: want {w['expected']!r} got {w['got']!r}{' SURE' if w['sure'] else ''}"
                              for w in failure["wrong"])
            rows.append(f"{failure['file']}: {wrong}" + (f" [error {failure['error']}]" if failure["error"] else ""))
    return "\n".join(rows)


# --------------------------------------------------------------------------- data sets


@dataclass(frozen=True)
class Document:
    """One labelled document of an evaluation set."""

    name: str
    path: Path
    expected: dict[str, str | None]


def load_sroie(directory: Path) -> list[Document]:
    """Return the SROIE documents (img/ID.jpg + key/ID.json) with keys renamed to our schema, sorted by id."""
    documents = []
    for key in sorted((directory / "key").glob("*.json")):
        image = directory / "img" / f"{key.stem}.jpg"
        if not image.is_file():
            continue
        labels = json.loads(key.read_text(encoding="utf-8"))
        expected = {ours: labels.get(theirs) for theirs, ours in SROIE_FIELDS.items() if theirs in labels}
        documents.append(Document(image.name, image, expected))
    return documents


def _label_entries(data: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (file name, labels) from a list of {"file": ...} entries or a {file: labels} mapping."""
    if isinstance(data, Mapping):
        yield from ((str(k), dict(v)) for k, v in data.items())
        return
    for entry in data:
        yield str(entry["file"]), dict(entry)


def load_paragon(directory: Path) -> list[Document]:
    """Return the documents listed in DIR/labels.json, with only our schema's fields kept as labels."""
    data = json.loads((directory / "labels.json").read_text(encoding="utf-8"))
    documents = []
    for name, labels in _label_entries(data):
        expected = {k: (None if v is None else str(v)) for k, v in labels.items() if k in FIELD_NAMES}
        documents.append(Document(name, directory / name, expected))
    return documents


def load_documents(directory: Path, layout: str, limit: int | None = None,
                   fields: Iterable[str] | None = None) -> list[Document]:
    """Load a data set in `layout` ("sroie" or "paragon"), optionally the first `limit` and some fields only."""
    documents = load_sroie(directory) if layout == "sroie" else load_paragon(directory)
    if fields:
        keep = set(fields)
        documents = [Document(d.name, d.path, {k: v for k, v in d.expected.items() if k in keep})
                     for d in documents]
    return documents[:limit] if limit else documents


# --------------------------------------------------------------------------- running


def read_one(task: tuple[str, str, ReaderConfig]) -> tuple[str, dict[str, Any]]:
    """Read one file (in a worker process) and return (name, extract_file_result output)."""
    name, path, config = task
    file = Path(path)
    data = file.read_bytes() if file.is_file() else b""
    return name, extract_file_result(data, name, config)


class Progress:
    """A one-line progress bar on a terminal stream: [#####.....] 75/150 2.1 s/doc."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 30) -> None:
        """Start the clock for `total` documents."""
        self.total, self.done, self.width = total, 0, width
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()

    def step(self) -> None:
        """Count one finished document and redraw."""
        self.done += 1
        filled = round(self.width * self.done / max(1, self.total))
        rate = (time.monotonic() - self.started) / self.done
        bar = "#" * filled + "." * (self.width - filled)
        end = "\n" if self.done >= self.total else ""
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} {rate:.1f} s/doc{end}")
        self.stream.flush()


def run_documents(documents: list[Document], config: ReaderConfig, jobs: int = 1,
                  on_done: Callable[[], None] | None = None) -> dict[str, dict[str, Any]]:
    """Read every document with `jobs` worker processes; return results by document name."""
    tasks = [(d.name, str(d.path), config) for d in documents]
    results: dict[str, dict[str, Any]] = {}
    if jobs <= 1:
        outputs: Iterable[tuple[str, dict[str, Any]]] = map(read_one, tasks)
        for name, result in outputs:
            results[name] = result
            if on_done:
                on_done()
        return results
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        for name, result in pool.imap_unordered(read_one, tasks):
            results[name] = result
            if on_done:
                on_done()
    return results


def evaluate(documents: list[Document], config: ReaderConfig, jobs: int = 1, progress: bool = True) -> Report:
    """Read and score a data set; the progress bar goes to stderr."""
    bar = Progress(len(documents)) if progress and documents else None
    results = run_documents(documents, config, jobs, bar.step if bar else None)
    return build_report((d.name, d.expected, results[d.name]) for d in documents)
