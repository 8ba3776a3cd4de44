"""A worker gives the CPU to the web app first: reading is batch work, an upload is a person waiting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from claims.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("configured", "expected"), [("7", 7), ("50", 19), ("-3", 0), ("", 10)])
def test_worker_nice_is_read_and_bounded(tmp_path, configured, expected):
    env = {"PARAGON_DATA_DIR": str(tmp_path), "WORKER_NICE": configured} if configured else {
        "PARAGON_DATA_DIR": str(tmp_path)}
    assert Settings.from_env(env).worker_nice == expected


def test_a_worker_process_lowers_its_own_priority(tmp_path):
    """In a child process, since niceness only ever goes up."""
    settings = {"PARAGON_DATA_DIR": str(tmp_path), "WORKER_NICE": "7"}
    code = ("import os\n"
            "from claims.settings import Settings\n"
            "from paragon.worker import yield_to_the_web\n"
            "before = os.nice(0)\n"
            f"after = yield_to_the_web(Settings.from_env({settings!r}))\n"
            "print(before, after, os.nice(0))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    before, after, now = map(int, done.stdout.split())
    assert after == now == min(before + 7, 19)


def test_paragon_worker_lowers_its_priority_before_it_loads_the_reader(tmp_path):
    """The reader's imports (OpenCV, tesseract, the ONNX runtime) cost seconds of CPU: a worker started while
    participants upload takes them at its lowered priority, not the web app's."""
    env = {"PARAGON_DATA_DIR": str(tmp_path), "WORKER_NICE": "7", "PATH": "/usr/bin:/bin"}
    code = ("import os, sys\n"
            "class Watch:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name in ('cv2', 'paragon.worker'):\n"
            "            print(name, before, os.nice(0), flush=True)\n"
            "            os._exit(0)\n"
            "before = os.nice(0)\n"
            "sys.meta_path.insert(0, Watch())\n"
            "from paragon.cli import main\n"
            "main(['worker'])\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    name, before, at_import = done.stdout.split()
    assert int(at_import) == min(int(before) + 7, 19), name


def test_a_worker_lowers_its_priority_once(tmp_path):
    """`paragon worker` lowers it before its imports and `run_worker` again asks: the second call is a no-op."""
    settings = {"PARAGON_DATA_DIR": str(tmp_path), "WORKER_NICE": "3"}
    code = ("import os\n"
            "from claims.settings import Settings\n"
            "from paragon.priority import yield_to_the_web\n"
            "before = os.nice(0)\n"
            f"settings = Settings.from_env({settings!r})\n"
            "print(before, yield_to_the_web(settings), yield_to_the_web(settings), os.nice(0))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    before, first, second, now = map(int, done.stdout.split())
    assert first == second == now == min(before + 3, 19)
