"""Build-time tools run by scripts/setup.sh: fonts, catalogs, extraction, checks."""
