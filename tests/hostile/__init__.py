"""The hostile corpus: every attack of issue 14 kept as a permanent test (issue 14)."""
