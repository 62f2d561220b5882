"""Synthetic patients with believable demographics and weight histories."""

import random
from datetime import date, timedelta
from decimal import Decimal

from openkap.core.demo import DemoContext
from openkap.core.models import Role
from openkap.patients.models import Patient, PatientRevision, SexAtBirth, WeightMeasurement
from openkap.patients.schemas import PatientRead
from openkap.patients.service import index_names

PRONOUNS = {SexAtBirth.female: "she/her", SexAtBirth.male: "he/him"}
RELATIONSHIPS = ["spouse", "partner", "parent", "sibling", "friend", "adult child"]


def _sex_and_gender(context: DemoContext) -> tuple[SexAtBirth, str, str]:
    roll = context.rng.random()
    if roll < 0.04:
        return SexAtBirth.female, "non-binary", "they/them"
    if roll < 0.06:
        return SexAtBirth.male, "transgender woman", "she/her"
    sex = SexAtBirth.female if roll < 0.58 else SexAtBirth.male
    return sex, "woman" if sex is SexAtBirth.female else "man", PRONOUNS[sex]


def _patient(context: DemoContext, number: int) -> Patient:
    sex, gender, pronouns = _sex_and_gender(context)
    fake = context.faker
    given = fake.first_name_female() if sex is SexAtBirth.female else fake.first_name_male()
    age_days = int(context.rng.triangular(19, 72, 41) * 365.25)
    clinicians = context.staff.get(Role.prescriber, []) + context.staff.get(Role.therapist, [])
    patient = Patient(
        id=context.new_id(),
        organization_id=context.org.id,
        mrn=f"K{100000 + number:07d}",
        family_name=fake.last_name(),
        given_name=given,
        pronouns=pronouns,
        preferred_name=fake.first_name() if context.rng.random() < 0.08 else None,
        birth_date=date(2026, 1, 1) - timedelta(days=age_days),
        sex_at_birth=sex.value,
        gender_identity=gender,
        phone=fake.numerify("(503) ###-####"),
        email=f"{given.lower()}.{number}@example.com",
        address_line=fake.street_address(),
        city=fake.city(),
        region=fake.state_abbr(),
        postal_code=fake.postcode(),
        country="US",
        emergency_contact_name=fake.name(),
        emergency_contact_relationship=context.rng.choice(RELATIONSHIPS),
        emergency_contact_phone=fake.numerify("(503) ###-####"),
        primary_clinician_id=context.rng.choice(clinicians).id if clinicians else None,
        height_cm=_height(number, sex),
    )
    index_names(patient)
    return patient


def _height(number: int, sex: SexAtBirth) -> Decimal:
    # Its own generator, so adding heights left every other demo value as it was.
    mean = 163 if sex is SexAtBirth.female else 177
    drawn = random.Random(f"height-{number}").gauss(mean, 7)  # noqa: S311 (synthetic data)
    return Decimal(round(min(max(drawn, 145), 200)))


def _weights(context: DemoContext, patient: Patient) -> list[WeightMeasurement]:
    base = context.rng.gauss(68 if patient.sex_at_birth == "female" else 84, 13)
    start = date(2026, 11, 1) - timedelta(days=context.rng.randint(30, 400))
    return [
        WeightMeasurement(
            id=context.new_id(),
            organization_id=patient.organization_id,
            patient_id=patient.id,
            weight_kg=Decimal(f"{max(42.0, base + _wobble(context, base)):.1f}"),
            measured_on=start + timedelta(days=21 * visit),
        )
        for visit in range(context.rng.randint(1, 4))
    ]


def _wobble(context: DemoContext, base: float) -> float:
    # Within 4 % of the usual weight, so no two visits differ by the 10 % that needs a reason.
    limit = 0.04 * max(base, 42.0)
    return min(max(context.rng.gauss(0, 1.2), -limit), limit)


def generate(context: DemoContext) -> None:
    """Create the demo patients, each with a first revision and a weight history."""
    for number in range(context.patient_count):
        patient = _patient(context, number)
        context.session.add(patient)
        context.session.flush()
        context.session.add(
            PatientRevision(
                organization_id=patient.organization_id,
                patient_id=patient.id,
                version=1,
                snapshot=PatientRead.model_validate(patient).model_dump(mode="json"),
            )
        )
        context.session.add_all(_weights(context, patient))
        context.patient_ids.append(patient.id)
        context.advance(1)
