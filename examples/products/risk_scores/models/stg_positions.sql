select position_id, counterparty, notional, rating from {{ ref('raw_positions') }}
