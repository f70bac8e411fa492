select
    order_id,
    customer_id,
    cast(ordered_at as date) as ordered_at,
    status,
    amount_cents / 100.0 as amount
from {{ ref('raw_orders') }}
