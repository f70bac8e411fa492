"""Loading: files (or git objects) into values that remember where each came from."""
