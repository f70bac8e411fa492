"""floe-compute-duckdb: the reference compute plugin of floe-gate.

Importing it never imports the ``duckdb`` driver; only ``validate_connection`` does.
"""

__version__ = "0.1.0"

from floe_compute_duckdb.config import DuckDBConfig
from floe_compute_duckdb.plugin import DuckDBComputePlugin

__all__ = ["DuckDBComputePlugin", "DuckDBConfig", "__version__"]
