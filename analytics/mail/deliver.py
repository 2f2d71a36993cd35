"""Send the mailed report: SMTP from callrep.toml's ``[mail]``, else apprise mail URLs.

``[mail]`` sends the message :mod:`analytics.mail.message` built, through stdlib ``smtplib``
(STARTTLS, implicit TLS, or plain to a loopback server). Without it, the ``mailto://`` and
``mailtos://`` URLs of ``CALLREP_NOTIFY`` or of the apprise config file named by
``notify_config`` are used (the alerts' destinations), with apprise's inline attachments: apprise
builds its own message from the same HTML body, images and attachment (see the README).

Every failure raises :class:`MailError` (or :class:`ConfigError`) with one line in which every
secret is masked: the password, the URLs and any credential-shaped text.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from analytics.config import MailSettings, Notify, Settings
from analytics.errors import ConfigError, MailError
from analytics.http.redact import Redactor, one_line
from analytics.mail.body import MailBody
from analytics.mail.message import build_message
from analytics.notify import NOTIFY_ENV, load_destinations


@dataclass(frozen=True)
class Sent:
    """Where a report went: the accepted recipients and the server, never a credential."""

    recipients: tuple[str, ...]
    server: str  # host:port (security)
    refused: tuple[str, ...] = ()


def check_destination(settings: Settings) -> None:
    """Raise :class:`ConfigError` now, before rendering, if the report has nowhere to go."""
    if settings.mail is not None:
        _check_password(settings.mail)
    elif settings.notify.urls or settings.notify.config_file:
        _mail_servers(settings.notify, Redactor(settings.secrets()))
    else:
        raise _no_destination()


def deliver(body: MailBody, settings: Settings) -> list[Sent]:
    """Send ``body`` by ``[mail]`` when configured, else by the notification mail URLs."""
    if settings.mail is not None:
        message = build_message(body, settings.mail.sender, settings.mail.to)
        return [send_smtp(message, settings.mail, settings.secrets())]
    if settings.notify.urls or settings.notify.config_file:
        return send_apprise(body, settings.notify, settings.secrets())
    raise _no_destination()


def _no_destination() -> ConfigError:
    return ConfigError(
        "no mail destination: add a [mail] section to callrep.toml, or a mailto:// or "
        "mailtos:// URL to CALLREP_NOTIFY (or to the file notify_config names)"
    )


def _check_password(mail: MailSettings) -> None:
    if mail.username and not mail.password:
        raise ConfigError(f"{mail.password_env} is not set (callrep.toml sets mail.username)")


def _reason(err: BaseException, redactor: Redactor) -> str:
    if isinstance(err, smtplib.SMTPResponseException):
        text = err.smtp_error
        detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        reason = f"{err.smtp_code} {detail}"
    elif isinstance(err, smtplib.SMTPRecipientsRefused):
        reason = "every recipient was refused: " + "; ".join(
            f"{addr} ({code} {msg.decode('utf-8', 'replace') if isinstance(msg, bytes) else msg})"
            for addr, (code, msg) in err.recipients.items()
        )
    else:
        reason = getattr(err, "strerror", None) or str(err) or type(err).__name__
    return one_line(redactor.text(" ".join(str(reason).split()), limit=240))


def send_smtp(message: EmailMessage, mail: MailSettings, secrets: Sequence[str] = ()) -> Sent:
    """Send ``message`` through the ``[mail]`` server; raise :class:`MailError` on failure."""
    _check_password(mail)
    server = f"{mail.host}:{mail.port} ({mail.security})"
    redactor = Redactor([*secrets, *([mail.password] if mail.password else [])])
    context = ssl.create_default_context()
    try:
        if mail.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                mail.host, mail.port, timeout=mail.timeout, context=context
            )
        else:
            client = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
        with client:
            if mail.security == "starttls":
                client.starttls(context=context)
            if mail.username and mail.password:
                client.login(mail.username, mail.password)
            refused = client.send_message(message, from_addr=mail.sender, to_addrs=list(mail.to))
    except smtplib.SMTPAuthenticationError as err:
        raise MailError(
            f"{server} refused the login of mail.username with ${mail.password_env}: "
            f"{_reason(err, redactor)}"
        ) from None
    except (smtplib.SMTPException, OSError) as err:
        reason = _reason(err, redactor)
        raise MailError(f"could not send the report through {server}: {reason}") from None
    return Sent(
        recipients=tuple(a for a in mail.to if a not in refused),
        server=server,
        refused=tuple(refused),
    )


def _mail_servers(notify: Notify, redactor: Redactor) -> list[Any]:
    """The apprise e-mail destinations among the notification URLs (others are not for mail)."""
    from apprise.plugins.email import NotifyEmail

    found = load_destinations({NOTIFY_ENV: notify.urls}, notify.config_file)
    servers = [d.plugin for d in found if isinstance(d.plugin, NotifyEmail)]
    if not servers:
        where = NOTIFY_ENV if notify.urls else f"{notify.config_file}"
        raise ConfigError(
            f"{redactor.text(where)}: no mailto:// or mailtos:// URL to send the report to"
        )
    return servers


def _apprise_reason(log: str, redactor: Redactor) -> str:
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    cause = [line for line in lines if "Exception:" in line] or lines or ["no reason given"]
    return one_line(redactor.text(" ".join(cause[-1].split()), limit=240))


def send_apprise(body: MailBody, notify: Notify, secrets: Sequence[str] = ()) -> list[Sent]:
    """Send ``body`` to each apprise e-mail URL, images inline; the first failure raises,
    naming where the report had already gone."""
    import apprise
    from apprise.attachment.memory import AttachMemory

    redactor = Redactor(secrets)
    servers = _mail_servers(notify, redactor)
    redactor = Redactor([*secrets, *(s.password for s in servers if s.password)])
    attachments = apprise.AppriseAttachment()
    for image in body.images:
        attachments.add(AttachMemory(content=image.png, name=image.cid, mimetype="image/png"))
    attachments.add(
        AttachMemory(content=body.attachment, name=body.attachment_name, mimetype="text/html")
    )
    sent = []
    for server in servers:
        server.inline = True  # images referenced as cid:<file name> go inline (RFC 2387)
        where = f"{server.smtp_host or server.host}:{server.port} ({server.secure_mode})"
        with apprise.LogCapture(level=logging.DEBUG, fmt="%(message)s") as log:
            ok = server.notify(
                body=body.html,
                title=body.subject,
                body_format=apprise.NotifyFormat.HTML,
                attach=attachments,
            )
        if not ok:
            reason = _apprise_reason(log.getvalue(), redactor)
            done = "; ".join(f"sent to {', '.join(s.recipients)} via {s.server}" for s in sent)
            raise MailError(
                f"could not send the report through {where}: {reason}"
                + (f" (before that: {done})" if done else "")
            )
        sent.append(Sent(recipients=tuple(a for _, a in server.targets), server=where))
    return sent
