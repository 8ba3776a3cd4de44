"""DESIGN.md's dependency rules, checked on the source: which package may import what."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INFRA = {"flask", "flask_wtf", "flask_login", "werkzeug", "rq", "redis", "sqlalchemy", "alembic", "requests"}
ENTRY_POINTS = {"ingest", "review_ui", "workers"}
#: Every top-level package of ours.
OURS = {"vocabulary", "claims", "ocr", "verification", "ingest", "review_ui", "workers", "paragon", "fixtures"}


def imports_of(package: str) -> list[tuple[Path, str]]:
    """(file, imported module) for every import statement under a top-level package."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.extend((path, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.extend((path, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def top(module: str) -> str:
    return module.split(".")[0]


@pytest.mark.parametrize("package", ["ocr", "verification"])
def test_pure_packages_import_no_infrastructure(package):
    bad = [(p.name, m) for p, m in imports_of(package) if top(m) in INFRA]
    assert bad == []


@pytest.mark.parametrize("package", ["ocr", "verification", "vocabulary"])
def test_pure_packages_never_read_the_environment(package):
    offenders = [p.name for p in (ROOT / package).rglob("*.py")
                 if "os.environ" in p.read_text(encoding="utf-8") or "getenv(" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_verification_imports_only_the_ground_floor():
    """The rules need plain names only: nothing of claims, ocr or the entry points."""
    assert [(p.name, m) for p, m in imports_of("verification") if top(m) in OURS - {"vocabulary", "verification"}] == []


def test_the_ground_floor_imports_nothing_of_ours():
    assert [(p.name, m) for p, m in imports_of("vocabulary") if top(m) in OURS - {"vocabulary"}] == []


@pytest.mark.parametrize("package", ["vocabulary"])
def test_the_ground_floor_imports_no_infrastructure(package):
    assert [(p.name, m) for p, m in imports_of(package) if top(m) in INFRA] == []


def test_ocr_knows_nothing_of_claims_or_rules():
    assert [m for _, m in imports_of("ocr") if top(m) in {"claims", "verification", *ENTRY_POINTS}] == []


def test_claims_imports_no_web_or_queue_framework():
    bad = [(p.name, m) for p, m in imports_of("claims")
           if top(m) in {"flask", "flask_wtf", "flask_login", "werkzeug", "rq", "redis", "requests"}
           or top(m) in {*ENTRY_POINTS, "paragon"}]
    assert bad == []


def test_only_claims_services_call_the_rules():
    """Use cases may call the pure rules; the model, ledger and storage stay below them."""
    bad = [(str(p.relative_to(ROOT)), m) for p, m in imports_of("claims")
           if top(m) == "verification" and p.parent.name != "services"]
    assert bad == []


@pytest.mark.parametrize("package", sorted(ENTRY_POINTS))
def test_entry_points_do_not_import_each_other(package):
    others = ENTRY_POINTS - {package}
    assert [(p.name, m) for p, m in imports_of(package) if top(m) in others | {"paragon"}] == []


def test_importing_every_module_connects_to_nothing():
    """Import all packages with unreachable services configured: nothing may connect at import time."""
    code = (
        "import importlib, pkgutil\n"
        "for pkg in ['vocabulary','claims','ingest','ocr','verification','workers','review_ui','paragon']:\n"
        "    mod = importlib.import_module(pkg)\n"
        "    for info in pkgutil.walk_packages(mod.__path__, pkg + '.'):\n"
        "        if not info.name.endswith('__main__'):\n"
        "            importlib.import_module(info.name)\n"
    )
    env = {"DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none", "REDIS_URL": "redis://127.0.0.1:9/0",
           "PATH": "/usr/bin:/bin", "PARAGON_DATA_DIR": "/nonexistent/paragon"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]


def test_all_modules_are_importable():
    for pkg in ["claims", "verification", "ingest"]:
        module = importlib.import_module(pkg)
        for info in pkgutil.walk_packages(module.__path__, pkg + "."):
            importlib.import_module(info.name)


def test_workers_are_glue_that_calls_the_claims_services():
    """Use-case code lives in claims/services: the workers never ask the rules themselves."""
    assert [(p.name, m) for p, m in imports_of("workers") if top(m) == "verification"] == []


def test_one_intake_use_case_serves_every_entry_point():
    """The API and the web form take claims in through claims/services/intake only, and never queue jobs."""
    sources = {p: p.read_text(encoding="utf-8") for pkg in ("ingest", "review_ui") for p in (ROOT / pkg).rglob("*.py")}
    takers = {p.relative_to(ROOT).as_posix() for p, text in sources.items() if "take_claim(" in text}
    assert {"ingest/api.py", "review_ui/participant_upload.py"} <= takers
    assert all("check_submission(" in sources[ROOT / name] for name in takers)
    queuers = [
        p.relative_to(ROOT).as_posix() for p, text in sources.items() if "enqueue" in text or "submit_claim" in text
    ]
    assert queuers == ["review_ui/__init__.py"]  # the app factory installs the after-commit hand-over, once


def _sources() -> list[Path]:
    """Every Python file of ours that people maintain (migrations are generated history; tests count too)."""
    return [path for package in sorted(OURS | {"bench", "tests"}) for path in sorted((ROOT / package).rglob("*.py"))
            if "migrations" not in path.parts and "node_modules" not in path.parts]


def test_no_module_passes_400_lines():
    """A module that grows past 400 lines holds more than one responsibility: split it by responsibility."""
    sizes = {path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8").count("\n") for path in _sources()}
    assert {name: lines for name, lines in sizes.items() if lines > 400} == {}


def test_no_function_passes_60_lines():
    """Long functions hide several steps; name the steps instead."""
    long = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno >= 60:
                long.append(f"{path.relative_to(ROOT).as_posix()}:{node.name} {node.end_lineno - node.lineno + 1}")
    assert long == []
