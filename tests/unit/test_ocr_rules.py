"""House rules for the ocr package: no infrastructure, no environment, nothing at import time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "ocr").rglob("*.py"))
FORBIDDEN = {
    "flask",
    "flask_wtf",
    "flask_login",
    "werkzeug",
    "rq",
    "redis",
    "sqlalchemy",
    "alembic",
    "requests",
    "pytesseract",
    "claims",
    "verification",
    "ingest",
    "workers",
    "review_ui",
    "paragon",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_sources_exist():
    assert len(SOURCES) > 10


def test_no_forbidden_imports():
    assert {p.name: sorted(_imports(p) & FORBIDDEN) for p in SOURCES if _imports(p) & FORBIDDEN} == {}


def test_environment_is_never_read():
    offenders = [
        p.name for p in SOURCES if any(s in p.read_text(encoding="utf-8") for s in ("os.environ", "getenv", "environ["))
    ]
    assert offenders == []


def test_modules_stay_small():
    assert {p.name: n for p in SOURCES if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400} == {}


def test_import_runs_nothing():
    """Importing the package must not start processes, open files or register image plugins."""
    code = (
        "import subprocess, builtins, sys\n"
        "def boom(*a, **k): raise AssertionError('side effect at import time')\n"
        "subprocess.Popen = boom; subprocess.run = boom\n"
        "import PIL.Image\n"
        "before = set(PIL.Image.OPEN)\n"
        "import ocr, ocr.extract, ocr.reader, ocr.pdf, ocr.images, ocr.preprocess, ocr.tesseract, ocr.result\n"
        "assert 'pillow_heif' not in sys.modules, 'pillow_heif imported eagerly'\n"
        "assert set(PIL.Image.OPEN) == before, 'image openers registered at import'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin"})


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _ocr_imports(path: Path, modules: set[str]) -> set[str]:
    """The ocr modules a source file imports (`from ocr.x import y` names ocr.x.y when that is a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            found |= {name if name in modules else node.module for name in names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found & modules


def test_ocr_modules_do_not_import_each_other_in_a_loop():
    """Type-checking imports count too: a loop hidden behind TYPE_CHECKING is still a loop."""
    modules = {_module_name(p): p for p in SOURCES}
    graph = {name: _ocr_imports(path, set(modules)) - {"ocr", name} for name, path in modules.items()}
    loops = []
    for start in graph:
        stack, seen = [(start, (start,))], set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    loops.append(trail)
                elif nxt not in seen and not nxt.startswith(f"{start}."):
                    seen.add(nxt)
                    stack.append((nxt, (*trail, nxt)))
    assert loops == []
