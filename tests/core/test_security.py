"""Password hashing and TOTP helpers."""

import pyotp
from argon2 import PasswordHasher

from openkap.core.security import (
    hash_password,
    password_problem,
    totp_matching_step,
    verify_password,
)


def test_passwords_are_hashed_with_argon2id_and_verified():
    stored = hash_password("a long enough secret")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "a long enough secret")
    assert not verify_password(stored, "a long enough secreT")


def test_production_hash_uses_the_library_recommended_cost():
    params = PasswordHasher()
    stored = hash_password("a long enough secret")
    assert f"m={params.memory_cost},t={params.time_cost},p={params.parallelism}" in stored


def test_garbage_hash_does_not_verify_or_crash():
    assert verify_password("not-a-hash", "anything") is False


def test_password_policy_names_the_rule():
    assert password_problem("short") == "Password must be at least 12 characters long."
    assert password_problem("x" * 300) == "Password must be at most 256 characters long."
    assert password_problem("twelve chars") is None


def test_totp_accepts_current_code_and_refuses_reused_step():
    secret = pyotp.random_base32()
    step = totp_matching_step(secret, pyotp.TOTP(secret).now(), after_step=None)
    assert step is not None
    assert totp_matching_step(secret, pyotp.TOTP(secret).now(), after_step=step) is None
    assert totp_matching_step(secret, "abcdef", after_step=None) is None
