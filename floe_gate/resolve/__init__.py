"""Resolution: effective approved engines and defaults per level; each transform's engine."""
