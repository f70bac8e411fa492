"""Test support for plugin authors: the compute plugin compliance suite.

    from floe_gate.testing import ComputePluginCompliance

See docs/plugins.md.
"""

from floe_gate.testing.compliance import ComputePluginCompliance

__all__ = ["ComputePluginCompliance"]
