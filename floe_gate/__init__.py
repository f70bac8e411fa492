"""floe-gate: the compute-governance gate of a GitOps data platform built on dbt.

Importing this package is deliberately cheap: the git hook runs it on every commit.
"""

__version__ = "0.1.0"
