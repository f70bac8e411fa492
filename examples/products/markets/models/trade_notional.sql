-- Spark: notional value of each trade (reads stg_trades, built on DuckDB).
select
    trade_id,
    symbol,
    traded_on,
    signed_quantity,
    cast(signed_quantity * price as decimal(18, 4)) as notional,
    '{{ target.type }}' as computed_on
from {{ ref('stg_trades') }}
