"""The MIME message, built with the stdlib ``email`` package.

Structure (what common clients expect)::

    multipart/mixed
    ├── multipart/alternative
    │   ├── text/plain                 the plain-text body
    │   └── multipart/related
    │       ├── text/html              the HTML body, images as cid:chart-<slug>.png
    │       └── image/png ...          one inline part per chart, Content-ID <chart-<slug>.png>
    └── text/html (attachment)         the full interactive report, weekly-<week>.html
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from analytics.mail.body import MailBody


def build_message(
    body: MailBody, sender: str, to: Sequence[str], *, now: datetime | None = None
) -> EmailMessage:
    """``body`` as one message from ``sender`` to every address in ``to``."""
    msg = EmailMessage()
    msg["Subject"] = body.subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(body.text)
    msg.add_alternative(body.html, subtype="html")
    html = msg.get_payload()[1]
    for image in body.images:
        html.add_related(
            image.png,
            maintype="image",
            subtype="png",
            cid=f"<{image.cid}>",
            disposition="inline",
            filename=image.cid,
        )
    msg.add_attachment(
        body.attachment,
        maintype="text",
        subtype="html",
        filename=body.attachment_name,
        params={"charset": "utf-8"},
    )
    return msg
