"""The `paragon demo` table prints claim ids the API and the claim pages accept (issue 15: it printed 8 hex
characters no endpoint knows)."""

from __future__ import annotations

from paragon.demo import SampleRun, _print_summary

CLAIM_ID = "d61aa919-5c3e-4a57-9a43-2b8c51b7e0f1"


def test_the_demo_table_prints_whole_claim_ids(capsys):
    run = SampleRun("receipt-budmax.png", "pending_review", {}, claim_id=CLAIM_ID, status="pending_review")
    _print_summary([run, SampleRun("broken.png", "refused", {}, status="refused")])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[0] == CLAIM_ID and lines[2].split()[0] == "-"
