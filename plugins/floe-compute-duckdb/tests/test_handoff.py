"""Parquet hand-off SQL, run on real DuckDB files: out of one database, into another."""

from __future__ import annotations

from pathlib import Path

import duckdb

from floe_compute_duckdb import DuckDBComputePlugin
from floe_gate.compute import Relation

plugin = DuckDBComputePlugin()
config = plugin.parse_config({})


def test_a_relation_crosses_from_one_database_to_another(tmp_path: Path) -> None:
    source = Relation(database="producer", schema_name="shop", identifier="orders")
    target = Relation(database="consumer", schema_name="shop", identifier="orders")
    location = str(tmp_path / "shared" / "dev" / "shop" / "orders")
    (tmp_path / "shared" / "dev" / "shop").mkdir(parents=True)  # floe-gate run makes it
    with duckdb.connect(str(tmp_path / "producer.duckdb")) as producer:
        producer.execute("create schema shop")
        producer.execute("create table shop.orders as select range as id from range(1000)")
        for statement in plugin.export_sql(config, source, location):
            producer.execute(statement)
        # Running it again replaces the files: a re-run never reads stale rows.
        producer.execute("delete from shop.orders where id >= 10")
        for statement in plugin.export_sql(config, source, location):
            producer.execute(statement)
    with duckdb.connect(str(tmp_path / "consumer.duckdb")) as consumer:
        for statement in plugin.import_sql(config, target, location):
            consumer.execute(statement)
        rows = consumer.execute('select count(*), sum(id) from "consumer"."shop"."orders"')
        assert rows.fetchone() == (10, 45)


def test_names_and_paths_are_quoted() -> None:
    relation = Relation(database=None, schema_name='we"ird', identifier="o'rders")
    [export] = plugin.export_sql(config, relation, "/tmp/it's here")
    assert export == (
        'COPY (SELECT * FROM "we""ird"."o\'rders") TO \'/tmp/it\'\'s here\' '
        "(FORMAT parquet, PER_THREAD_OUTPUT true, OVERWRITE true)"
    )
    schema, view = plugin.import_sql(config, relation, "/tmp/it's here/")
    assert schema == 'CREATE SCHEMA IF NOT EXISTS "we""ird"'
    assert view.endswith("read_parquet('/tmp/it''s here/*.parquet')")
