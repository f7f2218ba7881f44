"""Typed failures of the payment provider, as the adapter reports them.

``outcome_unknown`` is what the ledger needs: whether the provider may have acted on a
request whose answer we never got (then the payment is UNKNOWN until reconciled).
"""

from __future__ import annotations


class ProviderError(Exception):
    outcome_unknown = False

    def __init__(self, message: str, *, code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class ProviderTimeout(ProviderError):
    """No answer in time: the request may or may not have been carried out."""

    outcome_unknown = True


class ProviderUnavailable(ProviderError):
    """The provider failed (5xx) or could not be reached."""

    def __init__(self, message: str, *, code: str = "", status: int | None = None,
                 outcome_unknown: bool = True) -> None:
        super().__init__(message, code=code, status=status)
        self.outcome_unknown = outcome_unknown  # False when the request never left


class ProviderProtocolError(ProviderError):
    """An answer we cannot read. The request may have been carried out."""

    outcome_unknown = True


class ProviderRejected(ProviderError):
    """The provider refused the request (4xx); nothing was done."""


class ProviderAuthFailed(ProviderRejected):
    """Our API key or signature was refused: a configuration problem for staff."""


class ProviderConflict(ProviderRejected):
    """An idempotency key reused with different content (e.g. another amount)."""


class PaymentNotFound(ProviderRejected):
    """The provider has no payment (or refund) under that id."""


class InvalidWebhook(Exception):
    """A webhook whose signature, timestamp or body is not acceptable: ignore it."""
