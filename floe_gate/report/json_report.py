"""The JSON report: a contract other tools read (``problems`` and ``summary`` at least)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from floe_gate.observability import correlation_id
from floe_gate.problems import Problem
from floe_gate.report import summary


def render(problems: Sequence[Problem], *, elsewhere: Sequence[Problem] = ()) -> str:
    document = {
        "problems": [problem.as_json() for problem in problems],
        "summary": summary(problems),
        "elsewhere": summary(elsewhere),
        "correlation_id": correlation_id(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
