"""Password hashing, random tokens and TOTP: thin wrappers over argon2-cffi and pyotp."""

import hashlib
import hmac
import secrets
import time

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters

MIN_PASSWORD_LENGTH = 12
TOTP_ISSUER = "OpenKAP"


def hash_password(password: str) -> str:
    """Return an argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Tell whether the password matches the stored hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Return why a new password is unacceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be at least {MIN_PASSWORD_LENGTH} characters long."
    if len(password) > 256:
        return "Password must be at most 256 characters long."
    return None


def new_token(prefix: str = "") -> str:
    """Return a fresh unguessable token."""
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def same_secret(left: str, right: str) -> bool:
    """Compare two secrets in constant time."""
    return hmac.compare_digest(left.encode(), right.encode())


def new_totp_secret() -> str:
    """Return a fresh base32 TOTP secret."""
    return pyotp.random_base32()


def totp_uri(secret: str, *, account: str) -> str:
    """Return the otpauth:// URI an authenticator app imports."""
    return str(pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=TOTP_ISSUER))


def totp_now(secret: str) -> str:
    """Return the current code for a secret (used by tests and the demo)."""
    return str(pyotp.TOTP(secret).now())


def totp_matching_step(secret: str, code: str, *, after_step: int | None) -> int | None:
    """Return the time step a code belongs to (±1 step of drift), refusing reused steps."""
    code = code.strip().replace(" ", "")
    if not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(time.time()) // totp.interval
    for step in (current - 1, current, current + 1):
        if after_step is not None and step <= after_step:
            continue
        if same_secret(totp.generate_otp(step), code):
            return step
    return None
