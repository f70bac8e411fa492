"""The compliance suite catches each contract violation, and only that one.

Every plugin below breaks exactly one rule; the suite is run against each with
pytest itself, and the failing checks must be exactly the ones expected. Two
plugins come from fake installed distributions (a dist-info directory with an
entry point): one whose ``driver`` extra is not installed, one whose profile type
has no dbt adapter installed; the suite must fail them with the ``pip install``
that fixes it, not with a trace or a vacuous pass.
"""

import textwrap
from pathlib import Path

# pytester drops the modules a run imported, and a C extension cannot be imported twice
# in one process: the DuckDB driver is imported before pytester's snapshot, and kept.
import duckdb  # noqa: F401
import pytest

pytest_plugins = ["pytester"]

BAD_PLUGINS = textwrap.dedent(
    """
    import os
    import time

    import pytest
    from pydantic import ConfigDict, Field

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


    class SchemaConfig(DuckDBConfig):
        schema_: str = Field(alias="schema", min_length=1)


    class AliasedField(DuckDBComputePlugin):
        # Complies: a config field with an alias, as the settings spell it.

        config_model = SchemaConfig

        def generate_dbt_profile(self, config):
            return {**super().generate_dbt_profile(config), "schema": config.schema_}


    class AttachNamesSecret(DuckDBComputePlugin):
        # Complies: dbt-duckdb's attach[].secret names one of the profile's own secrets.

        def generate_dbt_profile(self, config):
            output = super().generate_dbt_profile(config)
            output["secrets"] = [{"type": "s3", "name": "lake_s3",
                                  "key_id": "{{ env_var('MD_TOKEN') }}",
                                  "secret": "{{ env_var('MD_TOKEN') }}"}]
            output["attach"] = [{"path": "s3://lake/db.duckdb", "alias": "lake",
                                 "secret": "lake_s3"}]
            return output


    class AttachHoldsLiteral(AttachNamesSecret):
        def generate_dbt_profile(self, config):
            output = super().generate_dbt_profile(config)
            output["attach"][0]["secret"] = "hunter2"  # names no secret of the profile
            return output


    def suite_for(plugin_class, settings=SETTINGS):
        class Suite(ComputePluginCompliance):
            @pytest.fixture
            def plugin(self):
                return plugin_class()

            @pytest.fixture
            def target_settings(self):
                return settings

        Suite.__name__ = f"Test{plugin_class.__name__}"
        return Suite


    for _cls in [LiteralSecret, ResolvesSecret, RunsSql, RaisingHealth, SlowHealth,
                 WrongAdapter, AdapterRejects, RequestAboveLimit, AcceptsAnySize,
                 SecretInSql, AcceptsUnknownKeys, NewerApi, AttachNamesSecret,
                 AttachHoldsLiteral, NoDriverInstalled, NoAdapterInstalled,
                 DuckDBComputePlugin]:
        globals()[f"Test{_cls.__name__}"] = suite_for(_cls)
    TestAliasedField = suite_for(AliasedField, [{"schema": "analytics"}])
    """
)

# Two plugins installed as distributions of their own, each missing one extra:
# package -> (plugin class, its body, the extra, the extra's uninstalled requirement).
FAKE_DISTRIBUTIONS = {
    "floe_fake_nodriver": ("NoDriverInstalled", "    pass\n", "driver", "floe-no-such-driver>=1"),
    "floe_fake_noadapter": (
        "NoAdapterInstalled",
        "    def generate_dbt_profile(self, config):\n"
        '        return {**super().generate_dbt_profile(config), "type": "floenoadapter"}\n'
        "\n"
        "    def get_required_dbt_packages(self):\n"
        '        return ["dbt-floenoadapter>=1"]\n',
        "dbt",
        "dbt-floenoadapter>=1",
    ),
}


def install_fake_distribution(
    root: Path, package: str, class_name: str, body: str, extra: str, requirement: str
) -> None:
    """``package`` importable from ``root``, with a dist-info registering its plugin."""
    (root / package).mkdir()
    (root / package / "__init__.py").write_text(
        "from floe_compute_duckdb import DuckDBComputePlugin\n\n\n"
        f"class {class_name}(DuckDBComputePlugin):\n{body}"
    )
    dist_info = root / f"{package}-0.1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {package.replace('_', '-')}\nVersion: 0.1.0\n"
        f'Provides-Extra: {extra}\nRequires-Dist: {requirement}; extra == "{extra}"\n'
    )
    (dist_info / "entry_points.txt").write_text(
        f"[floe.computes]\n{package} = {package}:{class_name}\n"
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
    "TestAttachNamesSecret": set(),
    "TestAttachHoldsLiteral": {"test_no_literal_secret_in_profile"},
    "TestNoDriverInstalled": {"test_validate_connection_answers_in_time_and_never_raises"},
    "TestNoAdapterInstalled": {"test_adapter_accepts_profile"},
    "TestAliasedField": set(),
    "TestDuckDBComputePlugin": set(),
}

# The whole failure report of a check that cannot prove anything without an extra.
EXPECTED_MESSAGES = {
    ("TestNoDriverInstalled", "test_validate_connection_answers_in_time_and_never_raises"): (
        "the native driver is not installed (floe-no-such-driver>=1), so "
        "validate_connection cannot try any target and the health checks would prove "
        "nothing: pip install 'floe-fake-nodriver[driver]'"
    ),
    ("TestNoAdapterInstalled", "test_adapter_accepts_profile"): (
        "adapter dbt-floenoadapter is not installed: pip install 'floe-fake-noadapter[dbt]'"
    ),
}


def test_each_violation_fails_exactly_its_check(pytester: pytest.Pytester) -> None:
    imports = ""
    for package, (class_name, *rest) in FAKE_DISTRIBUTIONS.items():
        install_fake_distribution(pytester.path, package, class_name, *rest)
        imports += f"from {package} import {class_name}\n"
    pytester.makepyfile(test_bad_plugins=imports + BAD_PLUGINS)
    pytester.syspathinsert()  # the fake distributions: importable, with entry points
    records = pytester.inline_run("-p", "no:cacheprovider")
    failed: dict[str, set[str]] = {name: set() for name in EXPECTED_FAILURES}
    messages: dict[tuple[str, str], str] = {}
    passed = 0
    for report in records.getreports("pytest_runtest_logreport"):
        if report.when != "call" and report.passed:
            continue
        _, class_name, test_name = report.nodeid.split("::")
        if report.failed:
            failed[class_name].add(test_name)
            messages[class_name, test_name] = report.longreprtext
        elif report.when == "call":
            passed += 1
    assert failed == EXPECTED_FAILURES
    for check, message in EXPECTED_MESSAGES.items():
        assert messages[check].strip() == message  # the fix, and no trace
    assert passed > 100
