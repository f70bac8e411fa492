"""``floe-gate parity``: judge a change against the environment branches.

Exit 0: no errors (warnings and notes allowed; with ``--strict`` warnings fail too).
1: errors. 2: the run cannot be judged (no base, an unknown ref, a branch that
exists on the remote but is not fetched — the message has the fetch command).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from floe_gate.exit_codes import ExitCode
from floe_gate.load.repository import ManifestUnusable
from floe_gate.load.sources import CannotJudge
from floe_gate.parity.allow_drift import malformed
from floe_gate.parity.run import ParityRequest, run_parity
from floe_gate.problems import Severity
from floe_gate.report.errors import echo_error
from floe_gate.report.formats import emit
from floe_gate.telemetry import SpanLike, command_span, record_problems


def run_parity_command(  # noqa: PLR0917 - one value per option
    repo: Path,
    manifest: str,
    base_ref: str | None,
    head_ref: str | None,
    strict: bool,
    allow_drift: Sequence[str],
    output_format: str,
) -> int:
    """Run parity, print the problems in ``output_format``, and return the exit code."""
    with command_span("parity", {"floe.format": output_format, "floe.strict": strict}) as span:
        request = (repo, manifest, base_ref, head_ref, strict, allow_drift)
        code = _run_parity(*request, output_format, span)
        span.set_attribute("floe.exit_code", code)
        return code


def _run_parity(  # noqa: PLR0917 - one value per option
    repo: Path,
    manifest: str,
    base_ref: str | None,
    head_ref: str | None,
    strict: bool,
    allow_drift: Sequence[str],
    output_format: str,
    span: SpanLike,
) -> int:
    bad = malformed(allow_drift)
    if bad:
        echo_error(f"--allow-drift takes PRODUCT:TRANSFORM, not {', '.join(bad)}")
        return ExitCode.CANNOT_JUDGE
    request = ParityRequest(repo, manifest, base_ref, head_ref, strict, frozenset(allow_drift))
    try:
        problems = sorted(set(run_parity(request)))
    except ManifestUnusable as unusable:
        problems = sorted(set(unusable.problems))
    except CannotJudge as error:
        echo_error(str(error))
        return ExitCode.CANNOT_JUDGE
    record_problems(span, problems)
    emit(problems, [], output_format)
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    failed = any(problem.severity in failing for problem in problems)
    return ExitCode.PROBLEMS if failed else ExitCode.OK
