"""The invitation-link pages: a patient opens the link the clinic sent, then either chooses a
password or simply opens their questionnaires. No sign-in is needed to reach them.

Opening the page spends nothing; only the patient's button press uses the link up. The form
carries a CSRF token paired with a cookie set by the page, as the sign-in page does.
"""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkap.accounts.signin.routes import set_session_cookie
from openkap.core.deps import DbSession, check_csrf, client_address
from openkap.core.security import new_token
from openkap.portal.errors import InvalidPortalInput, LinkRefused
from openkap.portal.links import service as links
from openkap.web.forms import FormFields
from openkap.web.security_headers import secure_cookies
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
LINK_CSRF_COOKIE = "openkap_portal_link_csrf"
START = "/portal/start/{token}"


def _chosen_password(fields: dict[str, str]) -> str | None:
    """Return the password chosen on the page, or None to open the portal without one."""
    action = fields.get("action")
    if action == "open":
        return None
    if action != "password":
        raise InvalidPortalInput("Choose how to continue.", field="_form")
    password = fields.get("password", "")
    if password != fields.get("password_confirm", ""):
        raise InvalidPortalInput("The two passwords are not the same.", field="password_confirm")
    return password


def _refused_page(request: Request, refused: LinkRefused) -> HTMLResponse:
    return render(
        request,
        "portal/link_refused.html",
        status_code=refused.status_code,
        reason=refused.reason,
        detail=refused.message,
    )


def _start_page(
    request: Request,
    opened: links.OpenedLink,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    token = new_token()
    response = render(
        request,
        "portal/start.html",
        status_code=status,
        opened=opened,
        link_csrf=token,
        errors=errors or {},
    )
    response.set_cookie(
        LINK_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/portal/start",
    )
    return response


@router.get(START, response_class=HTMLResponse)
def start_page(request: Request, session: DbSession, token: str) -> HTMLResponse:
    try:
        opened = links.open_link(session, token=token, client_address=client_address(request))
    except LinkRefused as refused:
        return _refused_page(request, refused)
    return _start_page(request, opened)


async def _link_csrf(request: Request) -> None:
    await check_csrf(request, request.cookies.get(LINK_CSRF_COOKIE))


@router.post(START, response_class=HTMLResponse, dependencies=[Depends(_link_csrf)])
def use_link(request: Request, session: DbSession, token: str, fields: FormFields) -> Response:
    address = client_address(request)
    try:
        password = _chosen_password(fields)
        user, cookie = links.use_link(
            session, token=token, password=password, client_address=address
        )
    except LinkRefused as refused:
        return _refused_page(request, refused)
    except InvalidPortalInput as invalid:
        try:
            opened = links.open_link(session, token=token, client_address=address)
        except LinkRefused as refused:
            return _refused_page(request, refused)
        errors = {invalid.field or "_form": invalid.message}
        return _start_page(request, opened, errors=errors, status=invalid.status_code)
    target = "/login/mfa?next=/portal" if user.mfa_enabled else "/portal"
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, cookie)
    response.delete_cookie(LINK_CSRF_COOKIE, path="/portal/start")
    return response
