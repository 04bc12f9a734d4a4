"""Test helpers as plain modules (imported by conftest.py and by test modules)."""
