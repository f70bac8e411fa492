-- DuckDB: net notional per symbol and day (reads trade_notional, built on Spark).
select
    symbol,
    traded_on,
    sum(notional) as net_notional,
    count(*) as trades,
    min(computed_on) as notional_computed_on
from {{ ref('trade_notional') }}
group by symbol, traded_on
