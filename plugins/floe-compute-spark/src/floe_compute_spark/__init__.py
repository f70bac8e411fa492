"""floe-compute-spark: Apache Spark through a Thrift server or an in-process session.

Importing it never imports PyHive, pyspark or dbt; only ``validate_connection`` does.
"""

__version__ = "0.1.0"

from floe_compute_spark.config import SparkConfig
from floe_compute_spark.plugin import SparkComputePlugin

__all__ = ["SparkComputePlugin", "SparkConfig", "__version__"]
