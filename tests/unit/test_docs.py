"""The README stays true: every setting and every command it should describe, it describes."""

from pathlib import Path

from claims.settings import VARIABLES
from paragon.cli import build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands():
    first_block = README.split("```")[1].strip().splitlines()
    assert [line.split()[:2] for line in first_block[:2]] == [["make", "demo"], ["make", "test"]]


def test_every_environment_variable_is_in_the_readme():
    assert [name for name in VARIABLES if f"`{name}`" not in README] == []


def test_every_cli_command_is_in_the_readme():
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")  # noqa: SLF001
    assert [name for name in subparsers.choices if f"paragon {name}" not in README] == []
