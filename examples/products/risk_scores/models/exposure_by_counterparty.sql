select
    counterparty,
    sum(notional) as exposure,
    max(case rating when 'A' then 0.01 when 'BBB' then 0.03 else 0.08 end) as default_probability
from {{ ref('stg_positions') }}
group by counterparty
