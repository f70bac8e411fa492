"""DuckDB target settings validated from YAML: FG002 problems at the key or value concerned."""

from __future__ import annotations

import string
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from floe_compute_duckdb.config import DuckDBConfig
from floe_gate.load.validation import validation_problems
from floe_gate.load.yaml_document import KeyPath, load_yaml
from floe_gate.problems import Problem, Severity

CREDENTIAL_PARAMETERS = [
    "secret",
    "key_id",
    "session_token",
    "client_secret",
    "token",
    "password",
    "account_key",
    "private_key",
    "access_token",
]
FILE = "targets/duckdb.yaml"


def problems_of(content: str, *, base: KeyPath = (), context: str = "") -> list[Problem]:
    """The FG002 problems of ``content`` (at ``base``) as DuckDB target settings."""
    document = load_yaml(FILE, content.encode())
    data: Any = document.data
    for part in base:
        data = data[part]
    with pytest.raises(ValidationError) as raised:
        DuckDBConfig.model_validate(data)
    problems = validation_problems(
        document, raised.value, model=DuckDBConfig, base=base, context=context
    )
    assert problems
    for problem in problems:
        assert problem.file == FILE
        assert problem.rule == "FG002"
        assert problem.severity is Severity.ERROR
    return problems


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def where(problem: Problem) -> tuple[int, int]:
    return (problem.line, problem.column)


# --- unknown keys: at the key, with a did-you-mean -------------------------------------------


def test_an_unknown_key_is_found_at_the_key_with_a_suggestion() -> None:
    problem = only(problems_of("plugin: duckdb\nthreads: 4\n  # typo below\nmemory_limt: 4GB\n"))
    assert where(problem) == (4, 1)
    assert problem.message.startswith("unknown key 'memory_limt'; did you mean 'memory_limit'?")
    assert "(known keys: attach, catalog, credentials, extension_directory," in problem.message


def test_an_unknown_key_below_a_base_path() -> None:
    content = (
        "compute:\n  targets:\n    duckdb:\n      path: warehouse.duckdb\n      memory_limt: 4GB\n"
    )
    problem = only(
        problems_of(content, base=("compute", "targets", "duckdb"), context="target duckdb")
    )
    assert where(problem) == (5, 7)
    assert problem.message.startswith(
        "target duckdb: unknown key 'compute.targets.duckdb.memory_limt'; "
        "did you mean 'memory_limit'?"
    )


def test_an_unknown_key_of_a_nested_model_suggests_from_that_model() -> None:
    content = "attach:\n  - path: iceberg:lake\n    alias: lake\n    read_onyl: true\n"
    problem = only(problems_of(content))
    assert where(problem) == (4, 5)
    assert "unknown key 'attach.0.read_onyl'; did you mean 'read_only'?" in problem.message
    assert "(known keys: alias, options, path, read_only, secret, type)" in problem.message


@pytest.mark.parametrize(
    ("content", "key", "suggestion"),
    [
        ("Memory_limit: 4GB\n", "Memory_limit", "memory_limit"),
        ("threads: 2\nEXTENSIONS: [httpfs]\n", "EXTENSIONS", None),
        ("str: x\n", "str", None),
        ("Float: 1\n", "Float", None),
    ],
)
def test_a_key_that_looks_like_a_pydantic_union_member_is_still_located(
    content: str, key: str, suggestion: str | None
) -> None:
    # validation_problems used to drop such keys from the error's loc, then crash on loc[-1].
    problem = only(problems_of(content))
    assert where(problem) == (content.count("\n"), 1)
    assert problem.message.startswith(f"unknown key {key!r}")
    if suggestion:
        assert f"did you mean {suggestion!r}?" in problem.message


def test_a_capitalised_dictionary_key_keeps_its_location() -> None:
    problem = only(problems_of("credentials:\n  Token: hunter2\n"))
    assert where(problem) == (2, 10)
    assert problem.message.startswith("credentials.Token: a credential must be")


# --- bad values: at the value -----------------------------------------------------------------


def test_a_bad_value_is_found_at_the_value() -> None:
    problem = only(problems_of("plugin: duckdb\nmemory_limit:   lots\n"))
    assert where(problem) == (2, 17)
    assert problem.message.startswith("memory_limit: not a size DuckDB accepts")
    assert "Value error" not in problem.message


def test_a_bad_optional_size_is_found_at_the_value() -> None:
    problem = only(problems_of("temp_directory: /tmp/spill\nmax_temp_directory_size: 20PB\n"))
    assert where(problem) == (2, 26)
    assert problem.message.startswith("max_temp_directory_size: not a size")


def test_an_out_of_range_number_is_found_at_the_value() -> None:
    problem = only(problems_of("memory_limit: 4GB\nthreads: 0\n"))
    assert where(problem) == (2, 10)
    assert problem.message == "threads: Input should be greater than or equal to 1"


@pytest.mark.parametrize(
    ("content", "location"),
    [
        ("extensions: [httpfs, 3]\n", (1, 22)),
        ("extensions:\n  - httpfs\n  - iceberg\n  - 3\n", (4, 5)),
    ],
)
def test_a_wrong_type_in_a_list_is_found_at_that_item(
    content: str, location: tuple[int, int]
) -> None:
    problem = only(problems_of(content))
    assert where(problem) == location
    index = 1 if "[" in content else 2
    assert problem.message == f"extensions.{index}: Input should be a valid string"


def test_a_wrong_type_under_a_union_is_found_at_the_value() -> None:
    problems = problems_of("settings:\n  threads_per_query: [1, 2]\n")
    assert {where(problem) for problem in problems} == {(2, 22)}
    assert all(p.message.startswith("settings.threads_per_query: Input should") for p in problems)


# --- missing keys: at the parent --------------------------------------------------------------


def test_a_missing_required_key_is_found_at_its_parent() -> None:
    content = "attach:\n  - path: iceberg:lake\n    read_only: true\n"
    problem = only(problems_of(content))
    assert where(problem) == (2, 5)
    assert problem.message == "missing required key 'attach.0.alias'"


def test_a_missing_required_key_of_a_flow_mapping() -> None:
    problem = only(problems_of("secrets: [{key_id: {env: AWS_KEY_ID}}]\n"))
    assert where(problem) == (1, 11)
    assert problem.message == "missing required key 'secrets.0.type'"


# --- credentials written as literals ----------------------------------------------------------

LITERAL_CREDENTIALS = [
    "secrets: [{type: s3, key_id: {env: AWS_KEY_ID}, secret: hunter2}]\n",
    "secrets:\n  - type: s3\n    key_id: {env: AWS_KEY_ID}\n    secret: hunter2\n",
    "secrets: [{type: s3, key_id: hunter2, secret: {env: AWS_SECRET}}]\n",
    "secrets: [{type: s3, secret: [hunter2]}]\n",
    "secrets: [{type: s3, secret: {env: 'hunter2 !'}}]\n",
    "secrets: [{type: postgres, PASSWORD: hunter2}]\n",
    "credentials:\n  token: hunter2\n",
    "credentials: {token: [hunter2]}\n",
    "credentials: {token: {env: 'hunter2 !'}}\n",
    "credentials: {token: {env: X, value: hunter2}}\n",
]


@pytest.mark.parametrize("content", LITERAL_CREDENTIALS)
def test_a_literal_credential_is_rejected_and_never_echoed(content: str) -> None:
    problems = problems_of(content)
    for problem in problems:
        assert "hunter2" not in problem.message
        assert "hunter2" not in problem.as_text()
        assert "hunter2" not in str(problem.as_json())


def test_the_literal_secret_problem_names_the_parameter() -> None:
    problem = only(problems_of(LITERAL_CREDENTIALS[0]))
    assert where(problem) == (1, 11)  # the secret's mapping
    assert problem.message == (
        "secrets.0: secret parameter 'secret' is a credential: write it as an environment "
        "reference {env: NAME}, never a literal value"
    )


def test_a_literal_credential_in_the_credentials_map_is_found_at_the_value() -> None:
    problem = only(problems_of("credentials:\n  token: hunter2\n"))
    assert where(problem) == (2, 10)
    assert problem.message == (
        "credentials.token: a credential must be an environment reference {env: NAME}, "
        "never a literal value"
    )


def test_environment_references_are_accepted() -> None:
    content = (
        "secrets:\n  - type: s3\n    key_id: {env: AWS_KEY_ID}\n    secret: {env: AWS_SECRET}\n"
        "credentials:\n  token: {env: TOKEN}\n"
    )
    config = DuckDBConfig.model_validate(load_yaml(FILE, content.encode()).data)
    assert config.credentials["token"].env == "TOKEN"
    assert config.secrets[0].type == "s3"


# --- properties -------------------------------------------------------------------------------

SECRET = "S3cr3t-"  # the "-" keeps it from being a valid environment variable name
secret_literals = st.text(string.ascii_letters + string.digits, max_size=8).map(
    lambda tail: SECRET + tail
)
literal_values = st.one_of(
    secret_literals,
    secret_literals.map(lambda secret: [secret]),
    secret_literals.map(lambda secret: {"env": secret}),
    secret_literals.map(lambda secret: {"env": "OK", "value": secret}),
)


@st.composite
def configs_with_a_literal_credential(draw: st.DrawFn) -> dict[str, Any]:
    literal = draw(literal_values)
    config: dict[str, Any] = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "threads": st.integers(1, 8),
                "memory_limit": st.sampled_from(["1GB", "512MiB"]),
                "extensions": st.lists(st.sampled_from(["httpfs", "iceberg"]), max_size=2),
            },
        )
    )
    if draw(st.booleans()):
        config["credentials"] = {draw(st.sampled_from(["token", "Token", "str"])): literal}
    else:
        parameter = draw(st.sampled_from(CREDENTIAL_PARAMETERS))
        if draw(st.booleans()):
            parameter = parameter.upper()
        config["secrets"] = [{"type": "s3", parameter: literal}]
    return config


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=configs_with_a_literal_credential(), flow=st.booleans())
def test_a_literal_credential_anywhere_is_rejected_and_never_echoed(
    config: dict[str, Any], flow: bool
) -> None:
    content = yaml.safe_dump(config, default_flow_style=flow, sort_keys=False)
    lines = content.count("\n") + 1
    for problem in problems_of(content):
        assert SECRET not in problem.as_text()
        assert 1 <= problem.line <= lines
        assert problem.column >= 1


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.text(string.ascii_letters + "-_ ", max_size=6)
)
keys = st.one_of(
    st.sampled_from([*DuckDBConfig.model_fields, "str", "int", "Foo", "EnvRef", "env", "type"]),
    st.text(string.ascii_letters + "_", min_size=1, max_size=6),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.dictionaries(keys, values, max_size=5))
def test_validation_problems_are_always_located(data: dict[str, Any]) -> None:
    content = yaml.safe_dump(data, sort_keys=False)
    document = load_yaml(FILE, content.encode())
    try:
        DuckDBConfig.model_validate(document.data)
    except ValidationError as error:
        problems = validation_problems(document, error, model=DuckDBConfig)
        errors = error.error_count()
    else:
        return
    lines = content.count("\n") + 1
    assert len(problems) == errors
    for problem in problems:
        assert problem.rule == "FG002"
        assert 1 <= problem.line <= lines
        assert problem.column >= 1
