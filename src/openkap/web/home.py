"""The start page: each role lands where its work is."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkap.core.deps import WebUser
from openkap.web.templating import navigation_for, render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, principal: WebUser) -> Response:
    """Send a user to their first menu entry, or explain that there is nothing to open yet."""
    entries = [href for _, href in navigation_for(principal) if href != "/account"]
    if entries:
        return RedirectResponse(entries[0], status_code=303)
    return render(request, "web/home.html", principal=principal)
