-- DuckDB: types and signs from the raw seed.
select
    cast(trade_id as integer) as trade_id,
    upper(symbol) as symbol,
    case when side = 'sell' then -1 else 1 end * cast(quantity as integer) as signed_quantity,
    cast(price as decimal(12, 4)) as price,
    cast(traded_on as date) as traded_on
from {{ ref('raw_trades') }}
