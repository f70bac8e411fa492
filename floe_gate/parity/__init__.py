"""Environment parity across environment branches: judge the change (H) against B and U.

See ``floe_gate.parity.compare`` for the semantics and the ``fg6xx_*`` modules for
each problem it reports.
"""
