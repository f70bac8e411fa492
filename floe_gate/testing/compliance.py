"""The compliance suite every compute plugin passes (SC-008).

Subclass it in your plugin's tests and provide the fixtures; pytest runs every
check against your plugin::

    import pytest
    from floe_gate.testing import ComputePluginCompliance
    from acme_compute import AcmePlugin

    class TestAcmeCompliance(ComputePluginCompliance):
        @pytest.fixture
        def plugin(self):
            return AcmePlugin()

        @pytest.fixture
        def target_settings(self):
            return [{"host": "localhost", "password": {"env": "ACME_PASSWORD"}}]

The checks need your plugin installed with its ``dbt`` and ``driver`` extras: the
generated profile is validated by the adapter that ``get_required_dbt_packages``
names, and the health checks must reach (or fail to reach) a target through the
native driver. A check that would prove nothing without them fails, naming the
``pip install`` that fixes it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import yaml
from pydantic import ValidationError
from pydantic_core import to_jsonable_python

from floe_gate.compute import (
    CatalogConfig,
    ComputeConfig,
    ComputeConfigurationError,
    ComputePlugin,
    ConnectionResult,
    EnvRef,
    ResourceSpec,
    api_incompatibility,
)
from floe_gate.compute.quantities import parse_quantity
from floe_gate.testing.dbt_profiles import missing_dbt_package, validate_with_adapter
from floe_gate.testing.installed import pip_install, plugin_distribution, unmet_extra

HEALTH_DEADLINE_SECONDS = 5.0
SENTINEL = "floe-compliance-secret-8d1f0c"
SECRET_KEY = re.compile(
    r"password|secret|token|private_key|credential|key_id|access_key|keyfile|passphrase", re.I
)
ENV_TEMPLATE = re.compile(r"\{\{\s*env_var\('[A-Za-z_][A-Za-z0-9_]*'\)[^}]*\}\}")
CONTRACT_METHODS = (
    "generate_dbt_profile",
    "get_required_dbt_packages",
    "validate_connection",
    "get_catalog_attachment_sql",
)

Settings = Mapping[str, Any]


def _env_names(value: Any) -> Iterator[str]:
    if isinstance(value, EnvRef):
        yield value.env
    elif isinstance(value, Mapping):
        if set(value) == {"env"} and isinstance(value["env"], str):
            yield value["env"]
        for item in value.values():
            yield from _env_names(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _env_names(item)


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")
    else:
        yield path, value


def _only_env_references(text: str) -> bool:
    return bool(ENV_TEMPLATE.search(text)) and not re.search(
        r"[A-Za-z0-9]", ENV_TEMPLATE.sub("", text)
    )


def _secret_names(output: Mapping[str, Any]) -> set[str]:
    secrets = output.get("secrets")
    if not isinstance(secrets, list):
        return set()
    return {s["name"] for s in secrets if isinstance(s, Mapping) and isinstance(s.get("name"), str)}


class ComputePluginCompliance:
    """Checks of the ComputePlugin contract; subclass it and override the fixtures."""

    @pytest.fixture
    def plugin(self) -> ComputePlugin[Any]:
        raise NotImplementedError("override the `plugin` fixture with an instance of your plugin")

    @pytest.fixture
    def target_settings(self) -> list[Settings]:
        """Representative target settings, as a manifest writes them; credentials as {env}."""
        return [{}]

    @pytest.fixture
    def unreachable_settings(self, target_settings: list[Settings]) -> Settings:
        """Settings of a target that cannot be reached; health must still answer in time."""
        return target_settings[0]

    @pytest.fixture
    def catalog_config(self) -> CatalogConfig:
        return CatalogConfig(
            catalog_type="rest",
            catalog_uri="http://127.0.0.1:9/api/catalog",
            catalog_name="floe",
            warehouse="floe_warehouse",
            credentials={
                "client_id": EnvRef(env="FLOE_COMPLIANCE_CLIENT_ID"),
                "client_secret": EnvRef(env="FLOE_COMPLIANCE_CLIENT_SECRET"),
            },
        )

    @pytest.fixture
    def secret_environment(
        self, monkeypatch: pytest.MonkeyPatch, target_settings: list[Settings]
    ) -> dict[str, str]:
        """Every referenced variable set to a sentinel that must never appear in output."""
        names = {*_env_names(list(target_settings)), "FLOE_COMPLIANCE_CLIENT_SECRET"}
        env = {name: f"{SENTINEL}-{name}" for name in names}
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return env

    @pytest.fixture
    def configs(self, plugin: ComputePlugin[Any], target_settings: list[Settings]) -> list[Any]:
        assert target_settings, "target_settings must name at least one target"
        return [plugin.parse_config(settings) for settings in target_settings]

    # -- metadata and shape -------------------------------------------------

    def test_metadata(self, plugin: ComputePlugin[Any]) -> None:
        assert isinstance(plugin.name, str)
        assert re.fullmatch(r"[a-z][a-z0-9_]*", plugin.name), "name: lowercase identifier"
        assert isinstance(plugin.version, str)
        assert plugin.version
        assert isinstance(plugin.floe_api_version, str)
        assert api_incompatibility(plugin.floe_api_version) is None

    def test_implements_the_whole_contract(self, plugin: ComputePlugin[Any]) -> None:
        for method in CONTRACT_METHODS:
            implementation = getattr(type(plugin), method)
            assert implementation is not getattr(ComputePlugin, method), method
            assert not getattr(implementation, "__isabstractmethod__", False), method

    def test_config_model_rejects_unknown_keys(
        self, plugin: ComputePlugin[Any], target_settings: list[Settings]
    ) -> None:
        assert issubclass(plugin.config_model, ComputeConfig)
        with pytest.raises(ValidationError, match="floe_no_such_key"):
            plugin.parse_config({**target_settings[0], "floe_no_such_key": 1})

    # -- dbt profile ----------------------------------------------------------

    def test_profile_is_a_dbt_output(self, plugin: ComputePlugin[Any], configs: list[Any]) -> None:
        for config in configs:
            output = plugin.generate_dbt_profile(config)
            assert isinstance(output, dict)
            assert isinstance(output.get("type"), str)
            dumped = yaml.safe_dump(output, sort_keys=True)
            assert yaml.safe_load(dumped) == output, "the output must be plain YAML data"
            assert plugin.generate_dbt_profile(config) == output, "generation is deterministic"

    def test_adapter_accepts_profile(
        self,
        plugin: ComputePlugin[Any],
        configs: list[Any],
        secret_environment: dict[str, str],
    ) -> None:
        adapter = self._adapter_requirement(plugin)
        for config in configs:
            output = plugin.generate_dbt_profile(config)
            assert adapter == f"dbt-{output['type']}", (
                f"profile type {output['type']!r} needs adapter dbt-{output['type']}, "
                f"but get_required_dbt_packages names {adapter}"
            )
            missing = missing_dbt_package(output["type"])
            if missing is not None:
                fix = pip_install(
                    type(plugin), "dbt", ["dbt-core", *plugin.get_required_dbt_packages()]
                )
                what = missing if missing == "dbt-core" else f"adapter {missing}"
                pytest.fail(f"{what} is not installed: {fix}", pytrace=False)
            validate_with_adapter(output, secret_environment)

    def test_no_literal_secret_in_profile(
        self,
        plugin: ComputePlugin[Any],
        configs: list[Any],
        secret_environment: dict[str, str],
    ) -> None:
        for config in configs:
            output = plugin.generate_dbt_profile(config)
            assert SENTINEL not in json.dumps(output), "a secret value reached the profile"
            secret_names = _secret_names(output)
            for path, value in _walk(output):
                key = path.rsplit(".", 1)[-1]
                if key == "secret" and value in secret_names:
                    continue  # names one of the profile's own secrets (dbt-duckdb's attach)
                if SECRET_KEY.search(key) and isinstance(value, str):
                    assert _only_env_references(value), (
                        f"{path} holds a literal; credentials must be {{{{ env_var('NAME') }}}}"
                    )

    def test_profile_generation_executes_no_sql(
        self, plugin: ComputePlugin[Any], target_settings: list[Settings], configs: list[Any]
    ) -> None:
        target = f"{type(plugin).__module__}:{type(plugin).__qualname__}"
        for settings, config in zip(target_settings, configs, strict=True):
            # The probe parses the very settings `configs` came from, so it generates
            # the profile of an equal config (aliases, defaults and validators included).
            sent = to_jsonable_python(settings)
            assert plugin.parse_config(sent) == config, (
                f"target settings {settings!r} change when written as JSON; "
                "use plain YAML data (strings, numbers, booleans, lists, mappings)"
            )
            probe = subprocess.run(
                [sys.executable, "-m", "floe_gate.testing.no_sql_probe", target],
                input=json.dumps(sent),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert probe.returncode == 0, probe.stderr
            report = json.loads(probe.stdout.strip().splitlines()[-1])
            assert report == {"events": [], "drivers_imported": []}, (
                f"generate_dbt_profile must not connect, spawn or import drivers: {report}"
            )

    def test_required_packages(self, plugin: ComputePlugin[Any]) -> None:
        from packaging.requirements import Requirement

        packages = plugin.get_required_dbt_packages()
        assert isinstance(packages, list)
        assert packages
        for package in packages:
            Requirement(package)  # raises on an invalid requirement string
        assert self._adapter_requirement(plugin).startswith("dbt-")

    # -- health -----------------------------------------------------------------

    def test_validate_connection_answers_in_time_and_never_raises(
        self, plugin: ComputePlugin[Any], configs: list[Any], unreachable_settings: Settings
    ) -> None:
        self._require_driver(plugin)
        for config in [*configs, plugin.parse_config(unreachable_settings)]:
            result, elapsed = self._timed_health(plugin, config)
            assert isinstance(result, ConnectionResult), f"returned {result!r}"
            assert elapsed < HEALTH_DEADLINE_SECONDS, f"took {elapsed:.1f} s"
            assert result.latency_ms >= 0

    def test_results_are_frozen(self, plugin: ComputePlugin[Any], configs: list[Any]) -> None:
        result = plugin.validate_connection(configs[0])
        with pytest.raises(ValidationError):
            result.message = "changed"  # type: ignore[misc]
        spec = plugin.get_resource_requirements(next(iter(plugin.resource_presets)))
        with pytest.raises(ValidationError):
            spec.cpu_limit = "1"  # type: ignore[misc]

    # -- resources ---------------------------------------------------------------

    def test_resource_presets_are_valid_kubernetes_quantities(
        self, plugin: ComputePlugin[Any]
    ) -> None:
        assert plugin.resource_presets, "a plugin offers at least one workload size"
        for size in plugin.resource_presets:
            spec = plugin.get_resource_requirements(size)
            assert isinstance(spec, ResourceSpec)
            for resource in ("cpu", "memory", "ephemeral_storage"):
                request = parse_quantity(getattr(spec, f"{resource}_request"))
                limit = parse_quantity(getattr(spec, f"{resource}_limit"))
                assert 0 < request <= limit, f"{size}: {resource} request must be <= limit"

    def test_unknown_workload_size_is_refused(self, plugin: ComputePlugin[Any]) -> None:
        with pytest.raises(ComputeConfigurationError) as raised:
            plugin.get_resource_requirements("floe-no-such-size")
        for size in plugin.resource_presets:
            assert size in str(raised.value)

    # -- catalog ---------------------------------------------------------------

    def test_catalog_attachment_sql(
        self,
        plugin: ComputePlugin[Any],
        catalog_config: CatalogConfig,
        secret_environment: dict[str, str],
    ) -> None:
        statements = plugin.get_catalog_attachment_sql(catalog_config)
        if statements is None:
            return
        assert isinstance(statements, list)
        assert statements
        for statement in statements:
            assert isinstance(statement, str)
            assert statement.strip()
            assert SENTINEL not in statement, "a secret value reached the SQL"

    # -- helpers ---------------------------------------------------------------

    @staticmethod
    def _adapter_requirement(plugin: ComputePlugin[Any]) -> str:
        from packaging.requirements import Requirement

        return Requirement(plugin.get_required_dbt_packages()[0]).name

    @staticmethod
    def _require_driver(plugin: ComputePlugin[Any]) -> None:
        """Fail when the ``driver`` extra is missing: health would only say "driver missing"."""
        dist = plugin_distribution(type(plugin))
        unmet = unmet_extra(dist, "driver") if dist is not None else []
        if unmet:
            pytest.fail(
                f"the native driver is not installed ({', '.join(unmet)}), so "
                "validate_connection cannot try any target and the health checks would "
                f"prove nothing: {pip_install(type(plugin), 'driver', unmet)}",
                pytrace=False,
            )

    @staticmethod
    def _timed_health(plugin: ComputePlugin[Any], config: Any) -> tuple[Any, float]:
        outcome: list[Any] = []

        def call() -> None:
            try:
                outcome.append(plugin.validate_connection(config))
            except BaseException as error:
                outcome.append(error)

        started = time.perf_counter()
        worker = threading.Thread(target=call, daemon=True)
        worker.start()
        worker.join(HEALTH_DEADLINE_SECONDS + 1)
        elapsed = time.perf_counter() - started
        assert outcome, f"validate_connection did not answer within {HEALTH_DEADLINE_SECONDS} s"
        if isinstance(outcome[0], BaseException):
            raise AssertionError(f"validate_connection raised {outcome[0]!r}") from outcome[0]
        return outcome[0], elapsed
