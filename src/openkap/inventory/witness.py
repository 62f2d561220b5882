"""The one check of a ledger witness: someone who proves who they are in the same request.

Waste, destruction, the waste or remainder of a dose and a correction that lowers stock need a
witness who types their own e-mail and password (and their authenticator code when they have
MFA): accounts.witness.confirm_identity checks them as at sign-in. A named id or a typed name is
not a witness. The witness must be another active nurse or prescriber of the same clinic.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from openkap.accounts.witness import ConfirmedBy, confirm_identity
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.inventory.errors import InvalidWitness, WitnessRequired
from openkap.inventory.schemas import WitnessFields

# The second signer of a count witnesses its adjustments: an authenticated request of their own.
COUNT_SIGNATURE = "count_signature"
WITNESS_METHODS = (*(m.value for m in ConfirmedBy), COUNT_SIGNATURE)


@dataclass(frozen=True, kw_only=True)
class Witness:
    """A witness who proved who they are, and how; spread into an entry with `fields()`."""

    user_id: uuid.UUID
    method: str

    def fields(self) -> dict[str, object]:
        """Return the entry's witness columns."""
        return {"witness_id": self.user_id, "witness_method": self.method}


def authenticate_witness(session: Session, *, by: Principal, data: WitnessFields) -> Witness:
    """Return the witness who proved who they are now: another recorder of the clinic."""
    if not data.witness_email or data.witness_password is None:
        raise WitnessRequired(
            "This entry needs a witness who confirms who they are: the witness enters their own "
            "e-mail and password (a name or id is not enough).",
            field="witness_email",
        )
    identity = confirm_identity(
        session,
        email=data.witness_email,
        password=data.witness_password.get_secret_value(),
        totp_code=data.witness_totp,
        client_address=by.client_address,
        organization_id=by.organization_id,
    )
    witness = identity.user
    if witness.id == by.user.id:
        raise InvalidWitness(
            "The witness must be someone other than the recorder.", field="witness_email"
        )
    eligible = (
        witness.organization_id == by.organization_id
        and witness.is_active
        and allows(witness.roles, Permission.inventory_record)
    )
    if not eligible:
        raise InvalidWitness(
            f"The witness ({witness.email}) must be an active nurse or prescriber of this clinic.",
            field="witness_email",
        )
    return Witness(user_id=witness.id, method=identity.method.value)
