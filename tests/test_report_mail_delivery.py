"""Delivery failures of the mailed report, with a small hand-made body (no report rendering):
each is one line naming the server, and no password or token ever shows."""

from __future__ import annotations

import string
import struct
import tempfile
import zlib
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from analytics.config import MailSettings, Notify, load_settings
from analytics.errors import ConfigError, MailError
from analytics.mail.body import PNG_SIGNATURE, Image, MailBody, png_size
from analytics.mail.deliver import send_apprise, send_smtp
from analytics.mail.message import build_message
from tests.test_report_mail import (
    PASSWORD,
    SENDER,
    TO,
    decode_png,
    free_port,
    parse,
    start_server,
)


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# the smallest PNG: one grey pixel
PIXEL = (
    PNG_SIGNATURE
    + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
    + chunk(b"IEND", b"")
)


def small_body() -> MailBody:
    image = Image(cid="chart-x.png", title="X", png=PIXEL, width=1, height=1)
    return MailBody(
        subject="Caller reputation 2026-W48: test",
        html='<p>hello</p><img src="cid:chart-x.png" width="1" height="1" alt="x">',
        text="hello\n",
        images=(image,),
        attachment_name="weekly-2026-W48.html",
        attachment=b"<!DOCTYPE html><title>r</title><p>report</p>",
    )


def settings(port: int, **changes: object) -> MailSettings:
    values: dict = {
        "host": "127.0.0.1",
        "port": port,
        "sender": SENDER,
        "to": TO,
        "security": "none",
        "username": "reports",
        "password": PASSWORD,
        "password_env": "TEST_SMTP_PASSWORD",
        "timeout": 5.0,
        **changes,
    }
    return MailSettings(**values)


def one_line(err: BaseException) -> str:
    text = str(err)
    assert "\n" not in text and PASSWORD not in text
    return text


def test_png_size_reads_the_header_and_refuses_other_data():
    assert png_size(PIXEL) == decode_png(PIXEL) == (1, 1)
    with pytest.raises(ValueError):
        png_size(b"GIF89a" + bytes(30))


def test_smtp_delivers_and_reports_where():
    controller, server = start_server()
    try:
        mail = settings(server.port)
        sent = send_smtp(build_message(small_body(), mail.sender, mail.to), mail)
    finally:
        controller.stop()
    assert sent.recipients == TO and sent.refused == ()
    assert sent.server == f"127.0.0.1:{server.port} (none)"
    (envelope,) = server.inbox.envelopes
    message = parse(envelope.content)
    assert message["To"] == ", ".join(TO)
    assert PASSWORD.encode() not in envelope.content


def test_a_refused_recipient_is_named_and_the_others_still_get_it():
    controller, server = start_server()
    server.inbox.refuse.add(TO[1])
    try:
        mail = settings(server.port)
        sent = send_smtp(build_message(small_body(), mail.sender, mail.to), mail)
    finally:
        controller.stop()
    assert sent.recipients == (TO[0],) and sent.refused == (TO[1],)
    (envelope,) = server.inbox.envelopes
    assert envelope.rcpt_tos == [TO[0]]


def test_wrong_password_is_one_line_without_it():
    controller, server = start_server()
    wrong = PASSWORD[::-1]
    try:
        mail = settings(server.port, password=wrong)
        with pytest.raises(MailError) as caught:
            send_smtp(build_message(small_body(), mail.sender, mail.to), mail)
    finally:
        controller.stop()
    text = one_line(caught.value)
    assert wrong not in text
    assert text.startswith(f"127.0.0.1:{server.port} (none) refused the login")
    assert "$TEST_SMTP_PASSWORD" in text
    assert caught.value.exit_code == 2
    assert not server.inbox.envelopes


def test_starttls_is_required_when_asked_never_skipped():
    controller, server = start_server()  # offers no STARTTLS
    try:
        mail = settings(server.port, security="starttls")
        with pytest.raises(MailError) as caught:
            send_smtp(build_message(small_body(), mail.sender, mail.to), mail)
    finally:
        controller.stop()
    assert "STARTTLS" in one_line(caught.value)
    assert not server.inbox.envelopes and not server.inbox.logins


def test_refused_smtp_connection_is_one_line():
    port = free_port()
    mail = settings(port)
    with pytest.raises(MailError) as caught:
        send_smtp(build_message(small_body(), mail.sender, mail.to), mail)
    text = one_line(caught.value)
    assert text.startswith(f"could not send the report through 127.0.0.1:{port} (none): ")
    assert "refused" in text.lower()


def test_refused_apprise_connection_is_one_line_with_the_url_masked():
    port = free_port()
    url = f"mailto://reports:{PASSWORD}@127.0.0.1:{port}?from={SENDER}&to={TO[0]}&mode=insecure"
    with pytest.raises(MailError) as caught:
        send_apprise(small_body(), Notify(urls=url), [url])
    text = one_line(caught.value)
    assert text.startswith(f"could not send the report through 127.0.0.1:{port}")
    assert "refused" in text.lower()


def test_a_failed_url_names_where_the_report_already_went():
    controller, server = start_server()
    closed = free_port()
    urls = (
        f"mailto://127.0.0.1:{server.port}?from={SENDER}&to={TO[0]}&mode=insecure "
        f"mailto://reports:{PASSWORD}@127.0.0.1:{closed}?from={SENDER}&to={TO[1]}&mode=insecure"
    )
    try:
        with pytest.raises(MailError) as caught:
            send_apprise(small_body(), Notify(urls=urls), [urls])
    finally:
        controller.stop()
    text = one_line(caught.value)
    assert f"through 127.0.0.1:{closed}" in text
    assert f"before that: sent to {TO[0]} via 127.0.0.1:{server.port}" in text
    assert len(server.inbox.envelopes) == 1


def test_apprise_config_file_is_read(tmp_path):
    controller, server = start_server()
    config = tmp_path / "apprise.yml"
    url = f"mailto://127.0.0.1:{server.port}?from={SENDER}&to={TO[1]}&mode=insecure"
    config.write_text(f"urls:\n  - {url}\n  - json://127.0.0.1:9/\n", encoding="utf-8")
    try:
        (sent,) = send_apprise(small_body(), Notify(config_file=config))
    finally:
        controller.stop()
    assert sent.recipients == (TO[1],)  # the json:// destination is not for mail
    (envelope,) = server.inbox.envelopes
    message = parse(envelope.content)
    (png,) = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert png["Content-ID"] == "<chart-x.png>" and png.get_payload(decode=True) == PIXEL


TOML_TEXT = st.text(alphabet=string.ascii_letters + string.digits + "@.-_:[] ", max_size=40)


@given(
    host=TOML_TEXT,
    port=st.integers(min_value=-5, max_value=70000),
    sender=TOML_TEXT,
    to=st.lists(TOML_TEXT, max_size=3),
    security=st.sampled_from(["starttls", "ssl", "none", "tls", ""]),
    username=st.one_of(st.none(), TOML_TEXT),
)
@example("smtp.example.com", 587, "a@example.com", ["b@example.com"], "starttls", "reports")
@example("smtp.example.com", 25, "a@example.com", ["b@example.com"], "none", "reports")
def test_mail_section_is_accepted_or_refused_in_one_line(
    host, port, sender, to, security, username
):
    lines = [
        "[mail]",
        f'host = "{host}"',
        f"port = {port}",
        f'from = "{sender}"',
        "to = [" + ", ".join(f'"{a}"' for a in to) + "]",
        f'security = "{security}"',
    ]
    if username is not None:
        lines.append(f'username = "{username}"')
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "callrep.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        env = {"CALLREP_SMTP_PASSWORD": PASSWORD}
        try:
            mail = load_settings(env, config_file=path).mail
        except ConfigError as err:
            assert "\n" not in str(err) and PASSWORD not in str(err)
            assert "mail." in str(err)
            return
    assert mail is not None
    assert mail.host == host and mail.port == port and 0 < port < 65536
    assert mail.sender == sender and "@" in sender and mail.to == tuple(to) and to
    assert mail.password == PASSWORD and PASSWORD not in repr(mail)
    if security == "none" and username:
        assert host in ("localhost", "127.0.0.1", "[::1]", "::1")


@pytest.mark.parametrize(
    ("password", "accepted"),
    [("abcd efgh ijkl mnop", True), ("pässwörd-1234", False), ("tab\there1234", False)],
)
def test_password_from_the_environment_is_printable_ascii(tmp_path, password, accepted):
    path = tmp_path / "callrep.toml"
    path.write_text(
        '[mail]\nhost = "smtp.example.com"\nfrom = "a@example.com"\nto = "b@example.com"\n'
        'username = "a@example.com"\n',
        encoding="utf-8",
    )
    env = {"CALLREP_SMTP_PASSWORD": password}
    if accepted:
        mail = load_settings(env, config_file=path).mail
        assert mail is not None and mail.password == password
        assert password not in repr(mail)
        return
    with pytest.raises(ConfigError) as caught:
        load_settings(env, config_file=path)
    assert "CALLREP_SMTP_PASSWORD" in str(caught.value) and password not in str(caught.value)
