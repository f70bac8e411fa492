"""Kubernetes resource quantities (``500m``, ``1Gi``, ``2``, ``1e3``).

The grammar is the one of ``k8s.io/apimachinery/pkg/api/resource``; a spec that
Kubernetes would reject, or whose request exceeds its limit, never reaches a pod.
"""

from __future__ import annotations

import re
from decimal import Decimal

_QUANTITY = re.compile(
    r"^(?P<number>\+?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+|m|k|M|G|T|P|E|)\Z"  # \Z: no trailing newline
)

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "m": Decimal("0.001"),
    "": Decimal(1),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
}


def parse_quantity(text: str) -> Decimal:
    """The value of a non-negative Kubernetes quantity; ``ValueError`` if it is not one."""
    match = _QUANTITY.match(text)
    if match is None:
        raise ValueError("not a Kubernetes quantity (examples: 500m, 2, 256Mi, 4Gi, 1G, 1e3)")
    number = Decimal(match["number"])
    suffix = match["suffix"]
    if suffix in _BINARY:
        return number * _BINARY[suffix]
    if suffix in _DECIMAL:
        return number * _DECIMAL[suffix]
    try:
        return number * Decimal(10) ** int(suffix[1:])
    except (ArithmeticError, ValueError):  # decimal.Overflow, or an exponent of 4300+ digits
        raise ValueError("out of range for a Kubernetes quantity") from None
