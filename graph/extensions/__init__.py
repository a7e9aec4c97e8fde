"""Schema extensions and validation rules, one per module; their order lives in hardening.py."""
