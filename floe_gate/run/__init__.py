"""``floe-gate run``: a product's dbt graph, run in stages on each transform's engine.

graph.py reads the dbt graph, stages.py cuts it into per-engine stages, dbt.py
invokes dbt in process, execute.py runs the stages and gathers results.py.
"""
