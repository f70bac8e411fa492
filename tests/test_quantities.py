"""Kubernetes resource quantities, and the ResourceSpec built from them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from floe_gate.compute import WORKLOAD_PRESETS, ResourceSpec
from floe_gate.compute.quantities import parse_quantity

VALID = [
    ("100m", Decimal("0.1")),
    ("0.5", Decimal("0.5")),
    ("1", Decimal(1)),
    ("2000m", Decimal(2)),
    ("256Mi", Decimal(268_435_456)),
    ("1Gi", Decimal(1_073_741_824)),
    ("1G", Decimal(1_000_000_000)),
    ("1e3", Decimal(1000)),
    ("1E3", Decimal(1000)),  # an exponent, not the E (exa) suffix followed by junk
    ("1.5Gi", Decimal(1_610_612_736)),
    ("+1", Decimal(1)),
    ("0", Decimal(0)),
    (".5", Decimal("0.5")),
    ("5.", Decimal(5)),
    ("1k", Decimal(1000)),
    ("1Ki", Decimal(1024)),
    ("1M", Decimal(1_000_000)),
    ("1m", Decimal("0.001")),
    ("1e-3", Decimal("0.001")),
    ("1e+2", Decimal(100)),
    ("2Ti", Decimal(2 * 2**40)),
    ("1Ei", Decimal(2**60)),
    ("1E", Decimal(10**18)),
    ("0.1m", Decimal("0.0001")),
]


@pytest.mark.parametrize(("text", "value"), VALID)
def test_valid_quantities_have_exact_values(text: str, value: Decimal) -> None:
    parsed = parse_quantity(text)
    assert isinstance(parsed, Decimal)
    assert parsed == value


INVALID = [
    "1GB",
    "1gi",
    "-1",
    "abc",
    "",
    "1.2.3",
    "1 Gi",
    " 1",
    "1 ",
    "1Gi\n",  # `$` used to let a trailing newline through (a YAML block scalar has one)
    "1K",  # the decimal kilo is a lowercase k
    "1e",
    "1m5",
    "Gi",
    ".",
    "+",
    "++1",
    "1,5",
    "１",  # a full-width digit
]


@pytest.mark.parametrize("text", INVALID)
def test_invalid_quantities_are_refused_with_examples(text: str) -> None:
    with pytest.raises(ValueError, match=r"^not a Kubernetes quantity") as raised:
        parse_quantity(text)
    assert repr(text) not in str(raised.value)  # never echoed: it may be a secret


@pytest.mark.parametrize("text", ["1e999999999", "1e" + "9" * 5000])
def test_out_of_range_exponents_are_a_value_error(text: str) -> None:
    # Was decimal.Overflow (or the int() digit limit): not a ValueError pydantic reports.
    with pytest.raises(ValueError, match="out of range for a Kubernetes quantity"):
        parse_quantity(text)


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=12),
        st.from_regex(r"[+-]?[0-9.]{0,6}([eE][+-]?[0-9]{0,12}|[kKmMGTPE]i?|)\s?", fullmatch=True),
    )
)
def test_parse_quantity_raises_nothing_but_value_error(text: str) -> None:
    try:
        value = parse_quantity(text)
    except ValueError:
        return
    assert value >= 0


@settings(max_examples=200, deadline=None)
@given(
    number=st.integers(min_value=0, max_value=10**9),
    suffix=st.sampled_from(["", "m", "k", "M", "G", "T", "Ki", "Mi", "Gi", "Ti", "e2", "e-1"]),
)
def test_integer_quantities_scale_by_their_suffix(number: int, suffix: str) -> None:
    scale = {
        "": Decimal(1),
        "m": Decimal("0.001"),
        "k": Decimal(10**3),
        "M": Decimal(10**6),
        "G": Decimal(10**9),
        "T": Decimal(10**12),
        "Ki": Decimal(2**10),
        "Mi": Decimal(2**20),
        "Gi": Decimal(2**30),
        "Ti": Decimal(2**40),
        "e2": Decimal(100),
        "e-1": Decimal("0.1"),
    }[suffix]
    assert parse_quantity(f"{number}{suffix}") == number * scale


# --- ResourceSpec ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        "cpu_request",
        "cpu_limit",
        "memory_request",
        "memory_limit",
        "ephemeral_storage_request",
        "ephemeral_storage_limit",
    ],
)
def test_an_invalid_quantity_is_rejected_naming_the_field(field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        ResourceSpec(**{field: "1GB"})
    errors = raised.value.errors()
    assert [error["loc"] for error in errors] == [(field,)]
    assert "not a Kubernetes quantity" in errors[0]["msg"]
    assert field in str(raised.value)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cpu_request": "2", "cpu_limit": "1500m"}, "cpu_request 2 exceeds cpu_limit 1500m"),
        (
            {"memory_request": "2Gi", "memory_limit": "1Gi"},
            "memory_request 2Gi exceeds memory_limit 1Gi",
        ),
        (
            {"memory_request": "1.1G", "memory_limit": "1Gi"},  # 1.1e9 > 1073741824
            "memory_request 1.1G exceeds memory_limit 1Gi",
        ),
        (
            {"ephemeral_storage_request": "2Gi", "ephemeral_storage_limit": "2G"},
            "ephemeral_storage_request 2Gi exceeds ephemeral_storage_limit 2G",
        ),
    ],
)
def test_a_request_above_its_limit_is_rejected_naming_both_values(
    fields: dict[str, str], message: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        ResourceSpec(**fields)


def test_a_request_equal_to_its_limit_in_other_units_is_accepted() -> None:
    spec = ResourceSpec(
        cpu_request="1", cpu_limit="1000m", memory_request="1024Mi", memory_limit="1Gi"
    )
    assert spec.cpu_request == "1"
    assert spec.memory_limit == "1Gi"  # kept as written


def test_unknown_keys_are_rejected() -> None:
    with pytest.raises(ValidationError, match="cpu_requests"):
        ResourceSpec.model_validate({"cpu_requests": "1"})


def test_as_kubernetes_is_a_container_resources_block() -> None:
    assert ResourceSpec().as_kubernetes() == {
        "requests": {"cpu": "100m", "memory": "256Mi", "ephemeral-storage": "100Mi"},
        "limits": {"cpu": "1000m", "memory": "1Gi", "ephemeral-storage": "1Gi"},
    }
    medium = WORKLOAD_PRESETS["medium"].as_kubernetes()
    assert medium["requests"] == {"cpu": "500m", "memory": "1Gi", "ephemeral-storage": "500Mi"}
    assert medium["limits"] == {"cpu": "2000m", "memory": "4Gi", "ephemeral-storage": "2Gi"}


def test_resource_spec_is_frozen() -> None:
    spec = ResourceSpec()
    with pytest.raises(ValidationError, match="frozen"):
        spec.cpu_limit = "2"  # type: ignore[misc]
    assert spec.cpu_limit == "1000m"
    assert hash(spec) == hash(ResourceSpec())


@pytest.mark.parametrize("name", sorted(WORKLOAD_PRESETS))
def test_presets_keep_requests_within_limits(name: str) -> None:
    preset = WORKLOAD_PRESETS[name]
    resources = preset.as_kubernetes()
    for resource, request in resources["requests"].items():
        assert parse_quantity(request) <= parse_quantity(resources["limits"][resource])
