"""Background export jobs, run by the mail worker's loop."""
from __future__ import annotations


def run_due_jobs() -> int:
    """Run queued export jobs; returns how many ran. Nothing until the reports work lands."""
    return 0
