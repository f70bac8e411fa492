select invoice_id, cast(issued_on as date) as issued_on, amount_cents / 100.0 as amount, currency
from {{ ref('raw_invoices') }}
