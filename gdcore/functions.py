"""Test functions (placeholder being written)."""
