select date_trunc('month', issued_on) as month, currency, sum(amount) as revenue
from {{ ref('fct_invoices') }}
group by all
