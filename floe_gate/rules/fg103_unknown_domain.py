"""FG103 — a data product names a domain the policy tree does not define.

``domain:`` is a path under the policy tree: ``finance`` is
``policies/finance/policy.yaml``, ``finance/risk`` is
``policies/finance/risk/policy.yaml``. A product in an unknown domain would escape
its domain's governance, so none of its transforms is resolved until it is fixed.

A domain whose ``policy.yaml`` (or a policy above it) exists but is invalid is not
resolved either; that is reported at the policy (FG001, FG002), not here.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.context import Context, options
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Origin

ID = "FG103"
TITLE = "unknown domain"


def check(context: Context) -> Iterator[Problem]:
    known = context.hierarchy.known_domains()
    for node in context.repository.products:
        product = node.product
        domain = product.model.domain
        if context.hierarchy.domain_chain(domain) is not None:
            continue
        # A domain whose policy (or a policy above it) is invalid is reported at that policy.
        if not context.hierarchy.is_broken(domain):
            import difflib  # only for a problem

            close = difflib.get_close_matches(domain, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            yield located(
                Origin.of(product.document, ("domain",)),
                ID,
                f"domain {domain!r} of data product {product.model.name} has no policy "
                f"under {context.repository.policy_root}/{hint} (known domains: {options(known)})",
                subject=product.model.name,
            )
