"""The consent documents every clinic starts with: short plain-language texts, one per route.

A clinic replaces them with its own wording by saving new versions; these are a starting point
written for OpenKAP, not copied from any form.
"""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openkap.plans.models import ConsentDocument, Drug, Route

_COMMON_RISKS = """\
What you may feel: during and shortly after a dose you may feel detached from your body or \
surroundings, dreamlike, dizzy, sleepy or sick. Your blood pressure and heart rate usually rise \
for a while. These effects normally pass within about two hours. Less often people feel anxious \
or confused as the effects wear off; staff stay with you and can give medicine to help.

Other risks: ketamine can be misused, and frequent high doses over a long time have been linked \
to bladder problems and memory difficulties. Tell us about any urinary symptoms. Ketamine is \
not known to be safe in pregnancy or when breastfeeding.

Safety rules: follow the fasting instructions you are given. Do not drive, operate machinery or \
make important decisions until the next day after a night's sleep, and arrange for a responsible \
adult to take you home. Tell us about every medicine, alcohol or drug you take.

Your choices: other treatments exist, including medicines, talking therapies and brain \
stimulation; we have discussed those that could suit you. Taking part is voluntary. You may stop \
at any time, and you may withdraw this consent by telling any member of the team; stopping will \
not affect the rest of your care.\
"""

_ROUTE_TEXT = {
    "iv_racemic": (
        "Ketamine by intravenous infusion",
        "You will receive ketamine through a small tube in a vein, usually over about 40 "
        "minutes, several times over two to three weeks. The dose is worked out from your "
        "weight. A nurse checks your blood pressure, heart rate, breathing and oxygen level "
        "before, during and after each infusion, and you stay until you are ready to go home.",
    ),
    "im_racemic": (
        "Ketamine by intramuscular injection",
        "You will receive ketamine as an injection into a muscle, usually in the upper arm. "
        "The effects start within minutes and usually last under an hour. The dose is worked "
        "out from your weight. Staff check your blood pressure, heart rate, breathing and "
        "oxygen level and stay with you until you are ready to go home.",
    ),
    "sublingual_racemic": (
        "Ketamine under the tongue (lozenge or dissolving tablet)",
        "You will hold a ketamine lozenge or tablet under your tongue for the time you are "
        "told, then spit out what remains. Effects start more slowly than with an injection. "
        "Your dose is set by your prescriber. Take it only as instructed, with a sitter present "
        "when you dose away from the clinic, and keep it locked away from others.",
    ),
    "intranasal_esketamine": (
        "Esketamine nasal spray (Spravato)",
        "You will spray esketamine into your nose yourself, under supervision, using one to "
        "three devices five minutes apart. It is given with an antidepressant you take by "
        "mouth. You will be enrolled in the esketamine safety programme (REMS) before the "
        "first dose and must stay at the clinic for at least two hours after each dose while "
        "staff check your blood pressure, alertness and breathing.",
    ),
}

_COVERS = {
    "iv_racemic": ([Route.iv.value], [Drug.racemic_ketamine.value]),
    "im_racemic": ([Route.im.value], [Drug.racemic_ketamine.value]),
    "sublingual_racemic": ([Route.sublingual.value], [Drug.racemic_ketamine.value]),
    "intranasal_esketamine": ([Route.intranasal.value], [Drug.esketamine.value]),
}


def default_document_values(key: str) -> dict[str, Any]:
    """Return the fields of one default consent document."""
    title, how = _ROUTE_TEXT[key]
    routes, drugs = _COVERS[key]
    body = f"{title}\n\nHow it is given: {how}\n\n{_COMMON_RISKS}"
    return {
        "key": key,
        "title": f"Consent: {title}",
        "routes": routes,
        "drugs": drugs,
        "body": body,
    }


def ensure_default_documents(session: Session, *, organization_id: uuid.UUID) -> None:
    """Seed the default consent documents a clinic does not have yet."""
    present = set(
        session.scalars(
            select(ConsentDocument.key).where(ConsentDocument.organization_id == organization_id)
        )
    )
    missing = [key for key in _ROUTE_TEXT if key not in present]
    if not missing:
        return
    try:
        # Two first requests of a clinic may race to seed; the loser keeps the winner's rows.
        with session.begin_nested():
            for key in missing:
                session.add(
                    ConsentDocument(
                        organization_id=organization_id,
                        version=1,
                        is_current=True,
                        **default_document_values(key),
                    )
                )
    except IntegrityError:
        return
