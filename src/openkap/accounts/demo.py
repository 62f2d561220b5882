"""Synthetic clinic staff: one organisation, two sites, every role."""

from openkap.accounts import service
from openkap.core.demo import DEMO_SLUG, DemoContext
from openkap.core.models import Role, User
from openkap.core.security import DEMO_PASSWORD, hash_password

STAFF = [
    ("admin", "Alex Morgan", [Role.admin]),
    ("prescriber", "Dr. Priya Raman", [Role.prescriber]),
    ("prescriber2", "Dr. Samuel Okafor", [Role.prescriber]),
    ("nurse", "Jordan Lee, RN", [Role.nurse]),
    ("nurse2", "Maria Alvarez, RN", [Role.nurse]),
    ("therapist", "Dana Whitfield, LMFT", [Role.therapist]),
    ("therapist2", "Chris Nakamura, PsyD", [Role.therapist]),
    ("frontdesk", "Taylor Brooks", [Role.front_desk]),
    ("researcher", "Robin Patel, PhD", [Role.researcher]),
]


def demo_email(handle: str) -> str:
    """Return a demo login's e-mail address."""
    return f"{handle}@demo.openkap.org"


def generate(context: DemoContext) -> None:
    """Create the demo clinic, its sites and a staff member in every role."""
    context.organization = service.create_organization(
        context.session, name="Riverside KAP Clinic", slug=DEMO_SLUG
    )
    service.create_site(
        context.session,
        organization=context.org,
        name="Riverside main clinic",
        address="200 Riverside Ave, Portland, OR 97201",
        dea_registration="FR1234563",
        phone="+1 503 555 0100",
    )
    service.create_site(
        context.session,
        organization=context.org,
        name="Eastside infusion suite",
        address="48 Burnside St, Portland, OR 97214",
        dea_registration="FR7654329",
        phone="+1 503 555 0177",
    )
    password_hash = hash_password(DEMO_PASSWORD)  # hashed once: argon2 is slow by design
    for handle, name, roles in STAFF:
        user = User(
            id=context.new_id(),
            organization_id=context.org.id,
            email=demo_email(handle),
            full_name=name,
            password_hash=password_hash,
            role_rows=service.role_rows(roles),
        )
        context.session.add(user)
        for role in roles:
            context.staff.setdefault(role, []).append(user)
    context.session.flush()
    context.advance(len(STAFF))
