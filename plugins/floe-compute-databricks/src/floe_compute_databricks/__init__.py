"""floe-compute-databricks: Databricks SQL warehouses and clusters through dbt-databricks.

Importing it never imports databricks-sql-connector or dbt; only ``validate_connection``
imports the driver.
"""

__version__ = "0.1.0"

from floe_compute_databricks.config import DatabricksConfig
from floe_compute_databricks.plugin import DatabricksComputePlugin

__all__ = ["DatabricksComputePlugin", "DatabricksConfig", "__version__"]
