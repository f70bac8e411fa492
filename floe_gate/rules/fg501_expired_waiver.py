"""FG501 — an expired or forbidden waiver.

Waivers let an existing repository adopt the gate: ``policies/waivers.yaml`` lists
known problems that are reported as warnings, not errors, until a date::

    apiVersion: floe/v1
    kind: Waivers
    waivers:
      - rule: FG201
        subject: revenue:fct_revenue   # PRODUCT, PRODUCT:TRANSFORM, FILE or FILE:LINE
        reason: migrating off spark, JIRA-123
        expires: 2026-12-31

After ``expires`` the waiver no longer applies and is itself an error, so that a
temporary exception cannot quietly become permanent (nor can a waiver of FG501
itself keep it going). Some problems cannot be waived at all: a waiver of FG401 (a
literal secret: once committed it must be removed and rotated, and waiving it would
ship it into ``profiles.yml``), of FG403 (a template dbt would render), of FG404 (a
path outside the work directory: allow it with ``compute.allowed_paths`` instead) or
of FG501 is an error at its ``rule``, and waives nothing. A waiver that matches no
problem is reported as a note: it can be deleted (not one for a data product whose
domain does not resolve: nothing of it was judged). A waived problem stays a
warning; in SARIF it carries a ``suppressions`` entry (kind ``external``, the
waiver's reason as justification).
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.context import Context
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Origin

ID = "FG501"
TITLE = "expired or forbidden waiver"


def check(context: Context) -> Iterator[Problem]:
    waivers = context.repository.waivers
    if waivers is None:
        return
    for index, waiver in enumerate(waivers.model.waivers):
        if waiver.expires < context.today:
            yield located(
                Origin.of(waivers.document, ("waivers", index, "expires")),
                ID,
                f"waiver of {waiver.rule} for {waiver.subject} expired on "
                f"{waiver.expires.isoformat()} ({waiver.reason}); fix the problem or renew "
                "the waiver",
            )
