"""A dbt project written as real ones are, for the tests of how floe-gate reads dbt.

``products/shop`` in the ``platform`` fixture's repository: folder-level
``+materialized`` / ``+enabled`` in ``dbt_project.yml``, properties files with a
versioned model and a disabled one, an ephemeral model, a Python model, a seed, a
snapshot, ``selectors.yml``, a ``generate_schema_name`` override branching on
``target.name``, and a tiny package vendored into ``dbt_packages/`` (``dbt deps``
cannot download here) and declared in ``packages.yml``.
"""

from __future__ import annotations

from conftest import Platform

PRODUCT = """\
apiVersion: floe/v1
kind: DataProduct
name: shop
domain: finance
transforms:
  - name: stg_orders
  - name: dim_orders
    workload: medium
  - name: customer_scores
"""

FILES: dict[str, str] = {
    "products/shop/floe.yaml": PRODUCT,
    "products/shop/dbt_project.yml": """\
        name: shop
        version: "1.0.0"
        config-version: 2
        profile: shop

        model-paths: ["models"]
        seed-paths: ["seeds"]
        snapshot-paths: ["snapshots"]
        macro-paths: ["macros"]
        clean-targets: ["target", "dbt_packages"]

        models:
          shop:
            +materialized: view
            staging:
              +materialized: view
            intermediate:
              +materialized: ephemeral
            marts:
              +materialized: table
            legacy:
              +enabled: false
          tiny_pkg:
            +materialized: table
        """,
    "products/shop/packages.yml": """\
        packages:
          - package: acme/tiny_pkg
            version: [">=1.0.0", "<2.0.0"]
        """,
    "products/shop/selectors.yml": """\
        selectors:
          - name: nightly
            definition:
              union:
                - method: path
                  value: models/marts
        """,
    "products/shop/macros/generate_schema_name.sql": """\
        {% macro generate_schema_name(custom_schema_name, node) -%}
            {%- set default_schema = target.schema -%}
            {%- if target.name == 'prod' and custom_schema_name is not none -%}
                {{ custom_schema_name | trim }}
            {%- else -%}
                {{ default_schema }}
            {%- endif -%}
        {%- endmacro %}
        """,
    "products/shop/seeds/raw_orders.csv": "id,customer_id,amount\n1,1,10\n",
    "products/shop/snapshots/orders_snapshot.sql": """\
        {% snapshot orders_snapshot %}
        {{ config(target_schema='snapshots', unique_key='id', strategy='check',
                  check_cols='all') }}
        select * from {{ ref('stg_orders') }}
        {% endsnapshot %}
        """,
    "products/shop/models/staging/_staging.yml": """\
        version: 2

        models:
          - name: stg_orders
            description: One row per order.
            columns:
              - name: id
                data_tests: [unique, not_null]
          - name: stg_payments
            description: Retired with the old payment provider.
            config:
              enabled: false
        """,
    "products/shop/models/staging/stg_orders.sql": "select * from {{ ref('raw_orders') }}\n",
    "products/shop/models/staging/stg_payments.sql": "select 1 as payment_id\n",
    "products/shop/models/staging/stg_customers.sql": "select 1 as customer_id\n",
    "products/shop/models/intermediate/int_order_totals.sql": """\
        select customer_id, sum(amount) as total
        from {{ ref('stg_orders') }}
        group by 1
        """,
    "products/shop/models/marts/_marts.yml": """\
        version: 2

        models:
          - name: dim_orders
            latest_version: 2
            config:
              materialized: table
            versions:
              - v: 1
                config:
                  materialized: view
              - v: 2
                defined_in: dim_orders_current
        """,
    "products/shop/models/marts/dim_orders_v1.sql": "select id from {{ ref('stg_orders') }}\n",
    "products/shop/models/marts/dim_orders_current.sql": """\
        select id, customer_id from {{ ref('stg_orders') }}
        """,
    "products/shop/models/marts/fct_revenue.sql": """\
        {{ config(materialized='incremental', unique_key='customer_id') }}
        select * from {{ ref('int_order_totals') }}
        """,
    "products/shop/models/marts/fct_returns.sql": """\
        {{
            config(
                materialized='table',
                enabled=false
            )
        }}
        select 1 as return_id
        """,
    "products/shop/models/marts/customer_scores.py": """\
        def model(dbt, session):
            dbt.config(materialized="table")
            orders = dbt.ref("stg_orders")
            return orders
        """,
    "products/shop/models/legacy/old_report.sql": "select 1 as x\n",
    "products/shop/dbt_packages/tiny_pkg/dbt_project.yml": """\
        name: tiny_pkg
        version: "1.0.0"
        config-version: 2
        models:
          tiny_pkg:
            +materialized: view
        """,
    "products/shop/dbt_packages/tiny_pkg/models/pkg_calendar.sql": "select 1 as day\n",
    "products/shop/dbt_packages/tiny_pkg/models/pkg_helpers.sql": """\
        {{ config(materialized='ephemeral') }}
        select 1 as helper
        """,
}

SCAN = {
    # (package, name, version, enabled, materialized): what dbt parse says of the project
    ("shop", "stg_orders", None, True, "view"),
    ("shop", "stg_payments", None, False, "view"),
    ("shop", "stg_customers", None, True, "view"),
    ("shop", "int_order_totals", None, True, "ephemeral"),
    ("shop", "dim_orders", "1", True, "view"),
    ("shop", "dim_orders", "2", True, "table"),
    ("shop", "fct_revenue", None, True, "incremental"),
    ("shop", "fct_returns", None, False, "table"),
    ("shop", "customer_scores", None, True, "table"),
    ("shop", "old_report", None, False, "view"),
    ("tiny_pkg", "pkg_calendar", None, True, "table"),
    ("tiny_pkg", "pkg_helpers", None, True, "table"),  # the root project wins over config()
}


def write_shop(platform: Platform, **overrides: str) -> None:
    """The shop product in ``platform``, instead of the fixture's revenue product."""
    for name in list(platform.root.joinpath("products/revenue").rglob("*")):
        if name.is_file():
            name.unlink()
    for name, content in {**FILES, **overrides}.items():
        platform.write(name, content)
