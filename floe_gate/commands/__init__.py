"""One module per command: what it does, apart from how click parses its options."""
