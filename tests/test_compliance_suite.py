"""The compliance suite catches each contract violation, and only that one.

Every plugin below breaks exactly one rule; the suite is run against each with
pytest itself, and the failing checks must be exactly the ones expected.
"""

import textwrap

import pytest

pytest_plugins = ["pytester"]

BAD_PLUGINS = textwrap.dedent(
    """
    import os
    import time

    import pytest
    from pydantic import ConfigDict

    from floe_compute_duckdb import DuckDBComputePlugin, DuckDBConfig
    from floe_gate.compute import ResourceSpec
    from floe_gate.testing import ComputePluginCompliance

    SETTINGS = [{"credentials": {"motherduck_token": {"env": "MD_TOKEN"}}}]


    class LiteralSecret(DuckDBComputePlugin):
        def generate_dbt_profile(self, config):
            return {**super().generate_dbt_profile(config), "password": "hunter2"}


    class ResolvesSecret(DuckDBComputePlugin):
        def generate_dbt_profile(self, config):
            output = super().generate_dbt_profile(config)
            output["settings"]["motherduck_token"] = os.environ.get("MD_TOKEN", "")
            return output


    class RunsSql(DuckDBComputePlugin):
        def generate_dbt_profile(self, config):
            import duckdb

            duckdb.connect().execute("select 1")
            return super().generate_dbt_profile(config)


    class RaisingHealth(DuckDBComputePlugin):
        def validate_connection(self, config):
            raise RuntimeError("boom")


    class SlowHealth(DuckDBComputePlugin):
        def validate_connection(self, config):
            time.sleep(5.2)
            return super().validate_connection(config)


    class WrongAdapter(DuckDBComputePlugin):
        def get_required_dbt_packages(self):
            return ["dbt-postgres>=1.8"]


    class AdapterRejects(DuckDBComputePlugin):
        def generate_dbt_profile(self, config):
            return {**super().generate_dbt_profile(config), "path": 123}


    class RequestAboveLimit(DuckDBComputePlugin):
        resource_presets = {"tiny": ResourceSpec.model_construct(
            cpu_request="2", cpu_limit="1", memory_request="1Gi", memory_limit="1Gi",
            ephemeral_storage_request="1Gi", ephemeral_storage_limit="1Gi")}


    class AcceptsAnySize(DuckDBComputePlugin):
        def get_resource_requirements(self, workload_size):
            return ResourceSpec()


    class SecretInSql(DuckDBComputePlugin):
        def get_catalog_attachment_sql(self, catalog_config):
            return [f"CREATE SECRET (SECRET '{os.environ['FLOE_COMPLIANCE_CLIENT_SECRET']}')"]


    class LaxConfig(DuckDBConfig):
        model_config = ConfigDict(extra="allow")


    class AcceptsUnknownKeys(DuckDBComputePlugin):
        config_model = LaxConfig


    class NewerApi(DuckDBComputePlugin):
        floe_api_version = "1.9"


    def suite_for(plugin_class):
        class Suite(ComputePluginCompliance):
            @pytest.fixture
            def plugin(self):
                return plugin_class()

            @pytest.fixture
            def target_settings(self):
                return SETTINGS

        Suite.__name__ = f"Test{plugin_class.__name__}"
        return Suite


    for _cls in [LiteralSecret, ResolvesSecret, RunsSql, RaisingHealth, SlowHealth,
                 WrongAdapter, AdapterRejects, RequestAboveLimit, AcceptsAnySize,
                 SecretInSql, AcceptsUnknownKeys, NewerApi, DuckDBComputePlugin]:
        globals()[f"Test{_cls.__name__}"] = suite_for(_cls)
    """
)

EXPECTED_FAILURES = {
    "TestLiteralSecret": {"test_no_literal_secret_in_profile"},
    "TestResolvesSecret": {"test_no_literal_secret_in_profile"},
    "TestRunsSql": {"test_profile_generation_executes_no_sql"},
    "TestRaisingHealth": {
        "test_validate_connection_answers_in_time_and_never_raises",
        "test_results_are_frozen",
    },
    "TestSlowHealth": {"test_validate_connection_answers_in_time_and_never_raises"},
    "TestWrongAdapter": {"test_adapter_accepts_profile"},
    "TestAdapterRejects": {"test_adapter_accepts_profile"},
    "TestRequestAboveLimit": {"test_resource_presets_are_valid_kubernetes_quantities"},
    "TestAcceptsAnySize": {"test_unknown_workload_size_is_refused"},
    "TestSecretInSql": {"test_catalog_attachment_sql"},
    "TestAcceptsUnknownKeys": {"test_config_model_rejects_unknown_keys"},
    "TestNewerApi": {"test_metadata"},
    "TestDuckDBComputePlugin": set(),
}


def test_each_violation_fails_exactly_its_check(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_bad_plugins=BAD_PLUGINS)
    records = pytester.inline_run("-p", "no:cacheprovider")
    failed: dict[str, set[str]] = {name: set() for name in EXPECTED_FAILURES}
    passed = 0
    for report in records.getreports("pytest_runtest_logreport"):
        if report.when != "call" and report.passed:
            continue
        _, class_name, test_name = report.nodeid.split("::")
        if report.failed:
            failed[class_name].add(test_name)
        elif report.when == "call":
            passed += 1
    assert failed == EXPECTED_FAILURES
    assert passed > 100
