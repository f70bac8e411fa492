"""Emitting artifacts through the plugins: dbt profiles, resources, compiled output."""
