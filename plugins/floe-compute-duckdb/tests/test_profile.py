"""The dbt-duckdb profile the plugin generates, and what its config refuses."""

from typing import Any

import pytest
from pydantic import ValidationError

from floe_compute_duckdb import DuckDBComputePlugin, DuckDBConfig

plugin = DuckDBComputePlugin()


def profile(**settings: Any) -> dict[str, Any]:
    return plugin.generate_dbt_profile(plugin.parse_config(settings))


def test_in_memory_defaults() -> None:
    assert profile() == {
        "type": "duckdb",
        "path": ":memory:",
        "threads": 2,
        "settings": {"memory_limit": "3GB", "threads": 2},
        "plugins": [
            {
                "module": "floe_compute_duckdb.statement_guard",
                "config": {"statement_timeout_seconds": 3600, "memory_limit": "3GB"},
            }
        ],
    }


def test_model_timeouts_join_the_statement_guard() -> None:
    output = plugin.apply_model_timeouts(profile(timeout_seconds=60), {"slow": 5, "fast": 1})
    assert output["plugins"] == [
        {
            "module": "floe_compute_duckdb.statement_guard",
            "config": {
                "statement_timeout_seconds": 60,
                "memory_limit": "3GB",
                "model_timeouts": {"fast": 1, "slow": 5},
            },
        }
    ]
    assert plugin.apply_model_timeouts(profile(), {}) == profile()


def test_file_database_with_spill_settings() -> None:
    output = profile(
        path="warehouse/dev.duckdb",
        memory_limit="1.5GB",
        threads=2,
        temp_directory="/tmp/spill",
        max_temp_directory_size="20GiB",
        settings={"preserve_insertion_order": False},
    )
    assert output["path"] == "warehouse/dev.duckdb"
    assert output["threads"] == 2
    assert output["settings"] == {
        "memory_limit": "1.5GB",
        "threads": 2,
        # A SET: DuckDB 1.5 does not enforce the bound when given at connect.
        "max_temp_directory_size": "20GiB",
        "preserve_insertion_order": False,
    }
    # When the database opens: DuckDB cannot switch temp_directory per cursor once used.
    assert output["config_options"] == {"temp_directory": "/tmp/spill"}


def test_secrets_and_credentials_render_as_env_var_templates() -> None:
    output = profile(
        secrets=[
            {
                "type": "s3",
                "name": "lake",
                "key_id": {"env": "AWS_ACCESS_KEY_ID"},
                "secret": {"env": "AWS_SECRET_ACCESS_KEY"},
                "region": "eu-west-1",
            }
        ],
        credentials={"motherduck_token": {"env": "MOTHERDUCK_TOKEN"}},
        settings={"s3_secret_access_key": {"env": "S3_SECRET"}},
    )
    assert output["settings"]["s3_secret_access_key"] == "{{ env_var('S3_SECRET') }}"
    assert output["secrets"] == [
        {
            "type": "s3",
            "name": "lake",
            "key_id": "{{ env_var('AWS_ACCESS_KEY_ID') }}",
            "secret": "{{ env_var('AWS_SECRET_ACCESS_KEY') }}",
            "region": "eu-west-1",
        }
    ]
    assert output["settings"]["motherduck_token"] == "{{ env_var('MOTHERDUCK_TOKEN') }}"


def test_extensions_and_attach_blocks() -> None:
    output = profile(
        extensions=["httpfs", "iceberg"],
        attach=[
            {"path": "lake.duckdb", "alias": "lake", "type": "duckdb", "read_only": True},
            {
                "path": "floe_warehouse",
                "alias": "cat",
                "secret": "cat_secret",
                "options": {"endpoint": "http://polaris:8181/api/catalog"},
            },
        ],
    )
    assert output["extensions"] == ["httpfs", "iceberg"]
    assert output["attach"] == [
        {"path": "lake.duckdb", "alias": "lake", "type": "duckdb", "read_only": True},
        {
            "path": "floe_warehouse",
            "alias": "cat",
            "type": "iceberg",
            "secret": "cat_secret",
            "options": {"endpoint": "http://polaris:8181/api/catalog"},
        },
    ]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"memory_limit": "lots"}, "not a size DuckDB accepts"),
        ({"memory_limt": "4GB"}, "memory_limt"),
        ({"threads": 0}, "greater than or equal to 1"),
        ({"threads": 65}, "less than or equal to 64"),
        ({"timeout_seconds": 0}, "greater than or equal to 1"),
        ({"max_temp_directory_size": "huge"}, "not a size DuckDB accepts"),
        ({"extensions": ["HTTPFS; DROP"]}, "is not a DuckDB extension name"),
        ({"settings": {"memory_limit": "1GB"}}, "use the top-level key memory_limit"),
        ({"attach": [{"path": "a.duckdb", "alias": "x"}, {"path": "b", "alias": "x"}]}, "unique"),
        ({"attach": [{"path": "a.duckdb", "alias": "x; DROP"}]}, "alias"),
        ({"secrets": [{"type": "s3", "secret": "hunter2"}]}, "environment reference"),
        ({"credentials": {"motherduck_token": "hunter2"}}, "environment reference"),
        ({"path": ""}, "at least 1 character"),
        ({"settings": {"s3_secret_access_key": "hunter2"}}, "holds a credential"),
        (
            {"attach": [{"path": "p", "alias": "a", "options": {"password": "hunter2"}}]},
            "hold credentials",
        ),
    ],
)
def test_invalid_settings_fail_here_not_in_dbt(settings: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError) as raised:
        plugin.parse_config(settings)
    assert expected in str(raised.value)
    assert "hunter2" not in str(raised.value)


@pytest.mark.parametrize("size", ["4GB", "4 GB", "4GiB", "1.5GB", "512mb", "2 gigabytes"])
def test_memory_limit_accepts_what_duckdb_accepts(size: str) -> None:
    assert DuckDBConfig(memory_limit=size).memory_limit == size


def test_unknown_workload_size_names_the_known_ones() -> None:
    from floe_gate.compute import ComputeConfigurationError

    with pytest.raises(ComputeConfigurationError, match="small, medium, large"):
        plugin.get_resource_requirements("huge")


def test_presets_are_the_seeds() -> None:
    large = plugin.get_resource_requirements("large")
    assert (large.cpu_request, large.cpu_limit, large.memory_request, large.memory_limit) == (
        "2000m",
        "8000m",
        "4Gi",
        "16Gi",
    )


def test_required_packages_are_satisfied_by_what_is_installed_here() -> None:
    """The ranges the plugin names are the ones this repository tests with."""
    from importlib.metadata import version

    from packaging.requirements import Requirement

    for requirement in map(Requirement, plugin.get_required_dbt_packages()):
        installed = version(requirement.name)
        assert requirement.specifier.contains(installed), f"{requirement} vs {installed}"


def test_defaults_fit_the_default_pod() -> None:
    default_pod = plugin.get_resource_requirements(plugin.default_workload)
    assert plugin.resource_fit(plugin.parse_config({}), default_pod) == []
    small = plugin.get_resource_requirements("small")
    assert len(plugin.resource_fit(plugin.parse_config({}), small)) == 2
