"""floe-compute-snowflake: the Snowflake compute plugin of floe-gate.

Importing it never imports ``snowflake.connector``; only ``validate_connection`` does.
"""

__version__ = "0.1.0"

from floe_compute_snowflake.config import SnowflakeConfig
from floe_compute_snowflake.plugin import SnowflakeComputePlugin

__all__ = ["SnowflakeComputePlugin", "SnowflakeConfig", "__version__"]
