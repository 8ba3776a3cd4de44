"""Reading what an admin defines for a training or a survey: the fields, and the questions written one block
per question in a textarea (or given as a list, from a fixture or the API).

A quiz block: `? question` (one right answer) or `?? question` (several), then `+ right` / `- wrong` choices.
A survey block: `[single] question`, `[multiple] question`, `[text] question` or `[scale 5] question`, then
`- choice` lines for the choice types.
"""

from __future__ import annotations

import re

from claims.errors import InvalidInputError

MAX_QUESTIONS = 50
MAX_CHOICES = 10
SURVEY_TYPES = ("single", "multiple", "text", "scale")
_SURVEY_HEAD = re.compile(r"^\[(single|multiple|text|scale)(?:\s+(\d+))?\]\s*(.+)$")


def text(raw: dict, name: str, size: int, required: bool = False) -> str:
    value = str(raw.get(name) or "").strip()[:size]
    if required and not value:
        raise InvalidInputError(f"{name} is required", code="field_required", field=name)
    return value


def whole(raw: dict, name: str, default: int | None = None, low: int = 0, high: int = 1_000_000) -> int | None:
    value = raw.get(name)
    if value is None or str(value).strip() == "":
        return default
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise InvalidInputError(f"{name} must be a whole number", code="bad_number", field=name) from exc
    if not low <= number <= high:
        raise InvalidInputError(f"{name} is out of range", code="bad_number", field=name)
    return number


def video_link(raw: dict) -> str:
    link = text(raw, "video_url", 500)
    if link and not link.startswith("https://"):
        raise InvalidInputError("a video link must be an https:// address", code="bad_link", field="video_url")
    return link


def quiz_questions(source: str | list) -> list[dict]:
    """The quiz as [{text, multiple, choices, correct}], each with two choices or more and a right one."""
    blocks = source if isinstance(source, list) else _blocks(source, ("?",))
    questions = []
    for block in blocks[:MAX_QUESTIONS + 1]:
        if isinstance(block, dict):
            question = {"text": str(block.get("text", "")).strip()[:500], "multiple": bool(block.get("multiple")),
                        "choices": [str(c).strip()[:200] for c in block.get("choices", [])],
                        "correct": sorted({int(i) for i in block.get("correct", [])})}
        else:
            head, lines = block
            choices = [line[1:].strip()[:200] for line in lines if line[:1] in "+-"]
            question = {"text": head.lstrip("?").strip()[:500], "multiple": head.startswith("??"),
                        "choices": choices, "correct": [i for i, line in enumerate(
                            [x for x in lines if x[:1] in "+-"]) if line.startswith("+")]}
        _check_quiz_question(question)
        questions.append(question)
    _check_count(questions)
    return questions


def _check_quiz_question(question: dict) -> None:
    count = len(question["choices"])
    if not question["text"] or not 2 <= count <= MAX_CHOICES or not all(question["choices"]):
        raise InvalidInputError("each question needs a text and 2 to 10 choices", code="bad_question")
    if not question["correct"] or any(not 0 <= i < count for i in question["correct"]):
        raise InvalidInputError("each question needs a right answer", code="no_right_answer")
    if not question["multiple"] and len(question["correct"]) != 1:
        raise InvalidInputError("a single-choice question has exactly one right answer", code="no_right_answer")


def survey_questions(source: str | list) -> list[dict]:
    """The survey as [{text, answer_type, choices, scale_max}]."""
    questions = []
    blocks = source if isinstance(source, list) else _blocks(source, ("[",))
    for block in blocks[:MAX_QUESTIONS + 1]:
        if isinstance(block, dict):
            question = {"text": str(block.get("text", "")).strip()[:500], "answer_type": block.get("answer_type"),
                        "choices": [str(c).strip()[:200] for c in block.get("choices", [])],
                        "scale_max": int(block.get("scale_max") or 5)}
        else:
            head, lines = block
            match = _SURVEY_HEAD.match(head)
            if not match:
                raise InvalidInputError("a survey question starts with its type", code="bad_question")
            question = {"text": match.group(3).strip()[:500], "answer_type": match.group(1),
                        "choices": [line[1:].strip()[:200] for line in lines if line.startswith("-")],
                        "scale_max": int(match.group(2) or 5)}
        _check_survey_question(question)
        questions.append(question)
    _check_count(questions)
    return questions


def _check_survey_question(question: dict) -> None:
    kind = question["answer_type"]
    if kind not in SURVEY_TYPES or not question["text"]:
        raise InvalidInputError("unknown answer type", code="bad_question")
    if kind in ("single", "multiple") and not 2 <= len(question["choices"]) <= MAX_CHOICES:
        raise InvalidInputError("a choice question needs 2 to 10 choices", code="bad_question")
    if kind == "scale" and not 2 <= question["scale_max"] <= 10:
        raise InvalidInputError("a scale goes from 1 to 2..10", code="bad_question")
    if kind not in ("single", "multiple"):
        question["choices"] = []


def _check_count(questions: list) -> None:
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        raise InvalidInputError("between 1 and 50 questions", code="bad_question_count")


def _blocks(source: str, starts: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    blocks: list[tuple[str, list[str]]] = []
    for raw_line in (source or "").splitlines():
        line = raw_line.strip()
        if not line:
            continue
        if line.startswith(starts):
            blocks.append((line, []))
        elif blocks:
            blocks[-1][1].append(line)
        else:
            raise InvalidInputError("the first line must start a question", code="bad_question")
    return blocks


def chosen(raw: object, count: int) -> list[int]:
    """The indexes of the choices a participant picked (from a form's list or the API), each in range."""
    values = raw if isinstance(raw, list) else [raw] if raw not in (None, "") else []
    picked = set()
    for value in values[:MAX_CHOICES]:
        try:
            index = int(str(value))
        except ValueError as exc:
            raise InvalidInputError("not a choice", code="bad_answer") from exc
        if not 0 <= index < count:
            raise InvalidInputError("not a choice", code="bad_answer")
        picked.add(index)
    return sorted(picked)


def quiz_text(questions: list) -> str:
    """A quiz's questions written back as the admin's text blocks."""
    lines = []
    for question in questions:
        lines.append(("?? " if question.multiple else "? ") + question.text)
        lines += [("+ " if i in question.correct else "- ") + choice for i, choice in enumerate(question.choices)]
    return "\n".join(lines)


def survey_text(questions: list) -> str:
    lines = []
    for question in questions:
        scale = f" {question.scale_max}" if question.answer_type == "scale" else ""
        lines.append(f"[{question.answer_type}{scale}] {question.text}")
        lines += ["- " + choice for choice in question.choices]
    return "\n".join(lines)
