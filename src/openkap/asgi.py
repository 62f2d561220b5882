"""The ASGI entry point for servers: `uvicorn openkap.asgi:app`."""

from openkap.app import create_app

app = create_app()
