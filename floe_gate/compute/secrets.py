"""What holds a credential: setting names that must be ``{env: NAME}`` references, and
values that are secrets whatever their setting is called.

A name is judged on every segment of a dotted or hyphenated key, so that Spark's
``spark.hadoop.fs.s3a.access.key`` reads as ``access_key``. A value is a secret when it
carries a password in a URL's user information (``postgres://admin:PW@host``,
``user:pw@host``), a ``password=`` or ``AccountKey=`` pair of a connection string, or
the shape of a well-known credential (AWS access key ids, PEM private keys, Azure SAS
signatures, GCS HMAC ids, GitHub, Slack, Google and Databricks tokens, JWTs).
"""

from __future__ import annotations

import re
from typing import Any

CREDENTIAL_NAME = re.compile(
    r"password|passwd|secret|token|private_?key|credential|key_?id|access_?key|account_?key"
    r"|api_?key|connection_?string|keyfile|passphrase|hmac|(?:^|_)(?:sas|sig|pwd)(?:_|$)",
    re.IGNORECASE,
)
USER_NAME = re.compile(r"(?:^|_)(?:user|username|user_name|login|uid)$", re.IGNORECASE)

# user:password@ at the start of a value, or after a URL's scheme (jdbc:postgresql:// too);
# the user information ends at the first "/", "?" or "#", so "s3://bucket/a:b@c" is no
# password, nor is an image digest (name:tag@sha256:...).
URL_PASSWORD = re.compile(
    r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.:\-]*://)?[^/?#@\s:]*:[^/?#@\s]+@(?=[^@\s])(?!sha256:)"
)
CONNECTION_PAIR = re.compile(
    r"(?:^|[\s;?&])(?:password|pwd|accountkey|sharedaccesskey|sharedaccesssignature)\s*=\s*[^\s;&]",
    re.IGNORECASE,
)
SECRET_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY")),
    ("an Azure SAS signature", re.compile(r"(?:^|[?&])sig=[^&\s]")),
    ("a GCS HMAC key id", re.compile(r"\bGOOG[0-9A-Z]{20,}\b")),
    ("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}")),
    ("a Databricks token", re.compile(r"\bdapi[0-9a-f]{32}")),
    ("a JSON web token", re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.")),
)


def _segments(name: str) -> str:
    return re.sub(r"[.\-\s]+", "_", name)


def is_credential_name(name: object) -> bool:
    """Whether a setting called ``name`` holds a credential, judged on every segment."""
    return isinstance(name, str) and CREDENTIAL_NAME.search(_segments(name)) is not None


def is_literal(value: Any) -> bool:
    """A value written in place, rather than an ``{env: NAME}`` reference."""
    return isinstance(value, str | int | float | bytes) and not isinstance(value, bool)


def secret_in_value(value: object) -> str | None:
    """What secret ``value`` carries whatever its setting's name (e.g. "a password in a
    URL"), or None. Never the secret itself."""
    if not isinstance(value, str):
        return None
    if URL_PASSWORD.search(value):
        return "a password in a URL"
    if CONNECTION_PAIR.search(value):
        return "a password in a connection string"
    return next((what for what, shape in SECRET_SHAPES if shape.search(value)), None)


def is_user_with_password(name: object, value: object) -> bool:
    """A login name written ``name:password``."""
    return (
        isinstance(name, str)
        and USER_NAME.search(_segments(name)) is not None
        and isinstance(value, str)
        and ":" in value
    )


def literal_credentials(values: dict[str, Any]) -> list[str]:
    """Names in ``values`` that hold credentials written as literals."""
    return sorted(
        k
        for k, v in values.items()
        if (is_credential_name(k) and is_literal(v)) or secret_in_value(v) is not None
    )


def without_url_password(value: str) -> str:
    """``value`` with a URL's user information removed (what remains is no secret)."""
    return URL_PASSWORD.sub(lambda match: match["scheme"] or "", value)
