"""floe-compute-bigquery: the BigQuery compute plugin of floe-gate.

Importing it never imports ``google.cloud.bigquery``; only ``validate_connection`` does.
"""

__version__ = "0.1.0"

from floe_compute_bigquery.config import BigQueryConfig
from floe_compute_bigquery.plugin import BigQueryComputePlugin

__all__ = ["BigQueryComputePlugin", "BigQueryConfig", "__version__"]
