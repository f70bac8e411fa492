"""Environment parity across environment branches: judge the change (H) against B and U.

``run`` reads the branches into a ``ParityContext``; the rules (``fg6xx_*``, found by
``floe_gate.rules.parity_rules`` like ``check``'s) judge it. The semantics are in
``compare``.
"""
