{#-
  iceberg_table: a table materialization for Iceberg tables behind a REST catalog
  (floe-compute-duckdb; docs/iceberg.md).

  dbt-duckdb's `table` materialization builds `<name>__dbt_tmp` and renames it over
  the old table inside one transaction, which DuckDB refuses for REST catalogs
  ("was modified already, can't be renamed"). This one never renames:

  * first run: CREATE TABLE ... AS the model's query;
  * later runs, same columns: the query lands in a DuckDB temporary table, then
    DELETE + INSERT replace the rows in one transaction, i.e. one Iceberg commit:
    readers see the old rows or the new ones, never an empty table;
  * later runs, changed columns (or --full-refresh): DROP and CREATE again; readers
    may briefly find no table.
-#}
{% materialization iceberg_table, adapter="duckdb" %}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% if existing_relation is not none and not should_full_refresh() %}
    {%- set staged = make_temp_relation(target_relation).incorporate(
          path={"database": none, "schema": none}) -%}
    {% do run_query("drop table if exists " ~ staged) %}
    {% do run_query("create temporary table " ~ staged ~ " as (" ~ sql ~ ")") %}
    {%- set new_columns = adapter.get_columns_in_relation(staged) -%}
    {%- set old_columns = adapter.get_columns_in_relation(existing_relation) -%}
    {%- set new_shape = new_columns | map(attribute='name') | map('lower') | list ~ new_columns | map(attribute='dtype') | map('lower') | list -%}
    {%- set old_shape = old_columns | map(attribute='name') | map('lower') | list ~ old_columns | map(attribute='dtype') | map('lower') | list -%}
    {% if new_shape == old_shape %}
      {%- set column_list = new_columns | map(attribute='name') | map('tojson') | join(', ') -%}
      {% call statement('main') -%}
        delete from {{ target_relation }};
        insert into {{ target_relation }} ({{ column_list }}) select {{ column_list }} from {{ staged }}
      {%- endcall %}
    {% else %}
      {#-- DuckDB cannot create a table dropped in the same transaction --#}
      {% do run_query("drop table " ~ target_relation) %}
      {% do adapter.commit() %}
      {% call statement('main') -%}
        create table {{ target_relation }} as select * from {{ staged }}
      {%- endcall %}
    {% endif %}
  {% else %}
    {% if existing_relation is not none %}
      {% do run_query("drop table " ~ existing_relation) %}
      {% do adapter.commit() %}
    {% endif %}
    {% call statement('main') -%}
      create table {{ target_relation }} as ({{ sql }})
    {%- endcall %}
  {% endif %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
