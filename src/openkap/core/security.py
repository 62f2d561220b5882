"""Password hashing and policy, random tokens and TOTP: thin wrappers over argon2-cffi, zxcvbn
and pyotp."""

import hashlib
import hmac
import secrets
import time

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters

MIN_PASSWORD_LENGTH = 12
# The synthetic demo clinic's published password: refused for every account a person creates.
DEMO_PASSWORD = "openkap-demo-password"  # noqa: S105
# zxcvbn's scale: 3 is "safely unguessable" against an online attacker who is throttled, as ours
# are; it knows the common and breached passwords of its frequency lists, keyboard runs and dates.
MIN_PASSWORD_SCORE = 3
# Longer passwords are not analysed further: zxcvbn's cost grows with length, and the first 64
# characters of any password it would refuse are already guessable.
_ANALYSED_LENGTH = 64
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


def _letters(text: str) -> str:
    return "".join(char for char in text.lower() if char.isalnum())


def _personal_words(personal: tuple[str, ...]) -> set[str]:
    """The account's own words a password must not contain: the e-mail's name part and the
    person's name, whole and by part, of four letters or more."""
    words: set[str] = set()
    for text in personal:
        name = text.split("@", 1)[0]
        parts = name.replace(".", " ").replace("_", " ").replace("-", " ").split()
        words.update(_letters(part) for part in [name, *parts])
    return {word for word in words if len(word) >= 4}


def password_problem(password: str, *personal: str) -> str | None:
    """Return why a new password is unacceptable, or None; `personal` are the account's own words
    (e-mail, name), which a password must not be built from."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be at least {MIN_PASSWORD_LENGTH} characters long."
    if len(password) > 256:
        return "Password must be at most 256 characters long."
    if password == DEMO_PASSWORD:
        return "That is the demo clinic's published password; choose another."
    words = _personal_words(personal)
    if any(word in _letters(password) for word in words):
        return "That password contains your name or e-mail address; choose one that does not."
    found = zxcvbn(password[:_ANALYSED_LENGTH], user_inputs=sorted(words))
    if found["score"] >= MIN_PASSWORD_SCORE:
        return None
    why = found["feedback"]["warning"] or "it is made of common words, names or patterns."
    return (
        f"That password is too easy to guess: {why.rstrip('.')}. Use four or more unrelated "
        "words, or a password manager."
    )


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
