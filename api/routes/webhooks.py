"""A key's alert webhook and its dead letters (deliveries that failed every attempt)."""
from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field, field_validator

from api.deps import AlertStoreDep
from api.forward import writes
from api.security import Principal, require
from matcher.errors import WebhookNotFound

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])
Writer = Annotated[Principal, Depends(require("write"))]


# An https URL, or http to this machine only; the validator checks exactly this pattern, so the
# schema and the server accept the same URLs.
WEBHOOK_URL = (r"^(?:https://[A-Za-z0-9.-]*[A-Za-z0-9]|http://(?:localhost|127\.0\.0\.1|\[::1\]))"
               r"(?::[0-9]{1,5})?(?:[/?#][!-~]*)?$")


class WebhookIn(BaseModel):
    url: str = Field(max_length=2000, json_schema_extra={"pattern": WEBHOOK_URL},
                     description="https URL (http only for loopback receivers)")

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not re.match(WEBHOOK_URL, v):
            raise ValueError("must be an https URL (or http on a loopback address)")
        return v


class WebhookOut(BaseModel):
    url: str
    secret: str | None = Field(None, description="shown once, when the webhook is set")


class DeadLetter(BaseModel):
    alert_id: str
    attempts: int
    last_error: str | None


@router.put("/webhook", response_model=WebhookOut)
@writes
def set_webhook(body: WebhookIn, who: Writer, store: AlertStoreDep) -> WebhookOut:
    """Push this key's instant alerts to `url`, signed with the returned secret (a new one each time)."""
    return WebhookOut(url=body.url, secret=store.set_webhook(who.name, body.url))


@router.get("/webhook", response_model=WebhookOut)
def get_webhook(who: Writer, store: AlertStoreDep) -> WebhookOut:
    hook = store.webhook(who.name)
    if hook is None:
        raise WebhookNotFound(who.name)
    return WebhookOut(url=hook[0])


@router.delete("/webhook", status_code=204)
@writes
def delete_webhook(who: Writer, store: AlertStoreDep) -> Response:
    """Stop pushing; deliveries not yet made are dropped (the alerts stay to pull and in digests)."""
    store.delete_webhook(who.name)
    return Response(status_code=204)


@router.get("/dead-letters", response_model=list[DeadLetter])
def dead_letters(who: Writer, store: AlertStoreDep) -> list[DeadLetter]:
    """Deliveries that failed every attempt."""
    return [DeadLetter(alert_id=d["alert_id"], attempts=d["attempts"], last_error=d["last_error"])
            for d in store.deliveries(owner=who.name, status="dead")]


@router.post("/dead-letters/retry", response_model=dict)
@writes
def retry(who: Writer, store: AlertStoreDep) -> dict:
    """Deliver every dead letter again, from the first attempt."""
    return {"requeued": store.retry_dead(who.name)}
