"""The base of every input shape: strict about unknown fields and unstorable characters."""

from pydantic import BaseModel, ConfigDict, field_validator


class InputModel(BaseModel):
    """Input from a client: unknown fields are refused, and so are NUL characters."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: object) -> object:
        # PostgreSQL cannot store NUL in text, and no clinical text legitimately contains one.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


class BlankIsNone(InputModel):
    """Input that may come from a web form, where an untouched optional field is blank."""

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


NO_NUL = r"^[^\x00]*$"
