"""Exceptions raised by the pure credit-math modules.

Bad input is a broken rule, not a business outcome, so it raises. Every
error names the offending field so that a form or an API can show the
message next to it.
"""

from __future__ import annotations


class CreditInputError(ValueError):
    """An argument to a credit-math function is out of its allowed range.

    ``field`` is the parameter name (e.g. ``"principal_cents"``); the message
    always starts with it: ``"principal_cents: must be >= 0, got -5"``.
    """

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")
