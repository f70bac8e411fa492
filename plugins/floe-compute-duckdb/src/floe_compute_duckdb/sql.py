"""Quoting for the SQL the plugin hands to dbt: identifiers and literals, never raw text."""

from __future__ import annotations


def _refuse_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("SQL text must not contain a NUL character")
    return text


def quote_identifier(name: str) -> str:
    """``"name"``, with embedded double quotes doubled."""
    return '"' + _refuse_nul(name).replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """``'value'``, with embedded single quotes doubled."""
    return "'" + _refuse_nul(value).replace("'", "''") + "'"


def env_literal(variable: str) -> str:
    """A string literal filled by dbt from an environment variable at run time.

    The value is quoted when dbt renders it (Jinja ``replace``), so a secret
    containing a quote cannot end the literal.
    """
    return "'{{ env_var('" + variable + "') | replace(\"'\", \"''\") }}'"
