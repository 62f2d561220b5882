"""Errors of the accounts domain."""

from openkap.core.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotAuthenticated,
    TooManyAttempts,
)


class InvalidCredentials(NotAuthenticated):
    """E-mail or password is wrong (never says which)."""


class LoginThrottled(TooManyAttempts):
    """Too many failed sign-ins for one account in the window."""


class ClinicChoiceNeeded(Conflict):
    """The e-mail and password open accounts at more than one clinic: which one is meant?"""


class InvalidMfaCode(BadRequest):
    """The one-time code does not match."""


class MfaEnrolmentRequired(Forbidden):
    """The clinic requires MFA and this user has not set it up: no token is issued or accepted."""


class TokenLifetimeTooLong(BadRequest):
    """A personal token was asked to live longer than the clinic allows."""

    status_code = 422


class WeakPassword(BadRequest):
    """The new password does not meet the policy."""


class EmailTaken(Conflict):
    """Another account already uses this e-mail address."""


class WitnessNotConfirmed(BadRequest):
    """A witness's own e-mail, password or authenticator code did not check out."""

    status_code = 422


class WitnessThrottled(TooManyAttempts):
    """The witness's account failed too many sign-ins or confirmations in the window."""


class SelfRoleChange(Forbidden):
    """Nobody may change their own roles."""


class SecondApproverRequired(Forbidden):
    """A privileged grant is approved by an administrator other than the asker and the grantee."""


class GrantNotPending(Conflict):
    """The role grant was already approved, declined, or in force."""
