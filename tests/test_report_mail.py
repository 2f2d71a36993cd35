"""``callrep report --mail`` against a real SMTP server on loopback (aiosmtpd).

One mailed report per delivery path (``[mail]`` through smtplib, a ``mailto://`` URL through
apprise) is rendered from the shared synthetic database and then taken apart: the message
parses, the body has no script and no SVG and stays under 100 KB, every ``cid:`` image is an
attached PNG that decodes, and the attachment is the full report.
"""

from __future__ import annotations

import email
import shutil
import socket
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner, Result

from analytics.cli import cli
from analytics.report.weekly import build_report
from analytics.store.database import connect
from tests.test_report_fixtures import MARKUP, report_db

PASSWORD = "s3cret-Pa55word-for-the-SMTP-login"  # a test credential
SENDER = "reports@example.com"
TO = ("ops@example.com", "lead@example.com")
BODY_LIMIT = 100_000


@dataclass
class Inbox:
    """What the loopback server received."""

    envelopes: list = field(default_factory=list)
    logins: list[bytes] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered with 550

    async def handle_RCPT(self, server, session, envelope, address, options) -> str:  # aiosmtpd
        if address in self.refuse:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd hook
        self.envelopes.append(envelope)
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode()
        if isinstance(auth_data, LoginPassword):
            self.logins.append(auth_data.login)
        return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    inbox: Inbox
    port: int


def start_server() -> tuple[Controller, Server]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,  # loopback only: the tests run no TLS
    )
    controller.start()
    return controller, Server(inbox, port)


@pytest.fixture(scope="module")
def smtp() -> Iterator[Server]:
    controller, server = start_server()
    yield server
    controller.stop()


def mail_toml(path: Path, port: int, **extra: object) -> Path:
    lines = [
        "[mail]",
        'host = "127.0.0.1"',
        f"port = {port}",
        'security = "none"',
        f'from = "{SENDER}"',
        f"to = {list(TO)!r}".replace("'", '"'),
        'username = "reports"',
        'password_env = "TEST_SMTP_PASSWORD"',
    ]
    lines += [f"{k} = {v}" for k, v in extra.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_report(tmp: Path, env: dict[str, str | None], *extra: str) -> Result:
    db = tmp / "copy.duckdb"
    if not db.exists():
        shutil.copyfile(report_db(), db)
    base = {"CALLREP_NOTIFY": None, "CALLREP_CONFIG": None, "TEST_SMTP_PASSWORD": PASSWORD}
    args = ["report", "--db", str(db), "--out", str(tmp / "out"), "--mail", *extra]
    return CliRunner().invoke(cli, args, env={**base, **env})


class Parts(HTMLParser):
    """The tags of an HTML body, its image references and its text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.text: list[str] = []
        self.table_rows: list[int] = []  # rows (header included) of each data table
        self._layout = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "table":
            self._layout = dict(attrs).get("role") == "presentation"
            if not self._layout:
                self.table_rows.append(0)
        if tag == "tr" and not self._layout:
            self.table_rows[-1] += 1
        if tag == "img":
            self.images.append(dict(attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


def decode_png(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG whose image data inflates to the size its header implies."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        crc = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])[0]
        assert zlib.crc32(kind + chunk) == crc, kind
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    assert header is not None
    width, height, depth, colour = header[:4]
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    assert depth == 8
    assert len(zlib.decompress(idat)) == height * (1 + width * channels)
    return width, height


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert not message.defects
    return message


@pytest.fixture(scope="module")
def smtp_mail(smtp: Server, tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    tmp = tmp_path_factory.mktemp("mail-smtp")
    toml = mail_toml(tmp / "callrep.toml", smtp.port)
    before = len(smtp.inbox.envelopes)
    result = run_report(tmp, {"CALLREP_CONFIG": str(toml)})
    assert result.exit_code == 0, result.output
    assert len(smtp.inbox.envelopes) == before + 1
    return result, tmp


def html_body(message: EmailMessage) -> EmailMessage:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return part


def test_smtp_message_parses_with_the_expected_structure(smtp, smtp_mail):
    result, _ = smtp_mail
    envelope = smtp.inbox.envelopes[-1]
    assert envelope.mail_from == SENDER
    assert tuple(envelope.rcpt_tos) == TO
    assert smtp.inbox.logins[-1] == b"reports"
    message = parse(envelope.content)
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    text, related = alternative.get_payload()
    assert text.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    assert related.get_payload()[0].get_content_type() == "text/html"
    assert attachment.get_content_disposition() == "attachment"
    assert message["Subject"].startswith("Caller reputation ")
    assert message["From"] == SENDER
    # it says where it sent it, and never the password
    line = next(x for x in result.stdout.splitlines() if x.startswith("mail: sent"))
    assert f"to {', '.join(TO)} via 127.0.0.1:{smtp.port} (none)" in line
    assert PASSWORD not in result.output


def test_body_has_no_script_no_svg_and_stays_small(smtp, smtp_mail):
    message = parse(smtp.inbox.envelopes[-1].content)
    html = html_body(message).get_content()
    size = len(html.encode("utf-8"))
    assert size < BODY_LIMIT, size
    tags = Parts(html).tags
    assert "script" not in tags and "svg" not in tags
    assert "<script" not in html.lower() and "<svg" not in html.lower()
    assert MARKUP not in html  # the API's markup is escaped, never a tag
    text = message.get_body(preferencelist=("plain",))
    assert text is not None and len(text.get_content().encode()) < BODY_LIMIT


def test_cid_images_are_attached_pngs_that_decode(smtp, smtp_mail):
    message = parse(smtp.inbox.envelopes[-1].content)
    html = html_body(message).get_content()
    pngs = {
        part["Content-ID"].strip("<>"): part
        for part in message.walk()
        if part.get_content_type() == "image/png"
    }
    images = Parts(html).images
    assert images and len(images) == len(pngs)
    for image in images:
        src = image["src"] or ""
        assert src.startswith("cid:"), src
        part = pngs[src.removeprefix("cid:")]
        assert part.get_content_disposition() == "inline"
        width, height = decode_png(part.get_content())
        # drawn at half its pixels, so the chart stays sharp on dense screens
        assert (int(image["width"] or 0), int(image["height"] or 0)) == (width // 2, height // 2)
        assert image["alt"]


def test_body_holds_the_verdict_tiles_and_top_rows(smtp, smtp_mail):
    _, tmp = smtp_mail
    message = parse(smtp.inbox.envelopes[-1].content)
    parts = Parts(html_body(message).get_content())
    html = parts.plain
    plain = message.get_body(preferencelist=("plain",)).get_content()
    with connect(tmp / "copy.duckdb", read_only=True) as con:
        report = build_report(con)
    assert report.verdict
    for sentence in report.verdict:
        assert sentence in html and sentence in plain
    for group in report.tile_groups:
        assert group.question in html and group.question in plain
        for figure in group.figures:
            assert figure.label in html and figure.label in plain
    hidden = [t for t in report.actions if t.total > 5]
    assert hidden, "the fixture should have a list longer than the body shows"
    for table in report.actions:
        assert table.title in html
        first = table.columns[0].key
        for row in table.rows[:5]:
            assert str(row[first]) in html and str(row[first]) in plain
            assert " ".join(str(row["next_step"]).split()) in html
    # each list with rows shows its header and at most 5 of them
    assert parts.table_rows == [1 + min(5, len(t.rows)) for t in report.actions if t.rows]
    for table in hidden:
        more = f"{table.total - 5:,} more"
        assert f"{more}: callrep export {table.export} lists them all" in html
        assert f"{more}: `callrep export {table.export}` lists them all" in plain


def test_attachment_is_the_full_report(smtp, smtp_mail):
    _, tmp = smtp_mail
    message = parse(smtp.inbox.envelopes[-1].content)
    (attachment,) = list(message.iter_attachments())
    name = attachment.get_filename()
    assert name and name.startswith("weekly-") and name.endswith(".html")
    assert attachment.get_content_type() == "text/html"
    data = attachment.get_payload(decode=True)
    assert data == (tmp / "out" / name).read_bytes()  # the file `callrep report` wrote
    page = Parts(data.decode("utf-8"))
    assert page.tags.count("script") >= 2  # the interactive report: Vega and the chart specs
    assert "Caller reputation — week" in page.plain and "Action list" in page.plain


def test_mailto_url_through_apprise(tmp_path):
    controller, server = start_server()
    try:
        url = (
            f"mailto://reports:{PASSWORD}@127.0.0.1:{server.port}"
            f"?from={SENDER}&to={TO[0]}&mode=insecure"
        )
        result = run_report(tmp_path, {"CALLREP_NOTIFY": url})
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert f"to {TO[0]} via 127.0.0.1:{server.port}" in result.stdout
    (envelope,) = server.inbox.envelopes
    message = parse(envelope.content)
    html = html_body(message).get_content()
    assert len(html.encode()) < BODY_LIMIT
    tags = Parts(html).tags
    assert "script" not in tags and "svg" not in tags
    content_ids = {
        p["Content-ID"].strip("<>") for p in message.walk() if p.get_content_type() == "image/png"
    }
    sources = {i["src"].removeprefix("cid:") for i in Parts(html).images if i["src"]}
    assert sources and sources <= content_ids
    for part in message.walk():
        if part.get_content_type() == "image/png":
            decode_png(part.get_payload(decode=True))
    names = [
        p.get_filename() for p in message.walk() if p.get_content_disposition() == "attachment"
    ]
    assert [n for n in names if n and n.endswith(".html")]


@pytest.mark.parametrize(
    ("toml", "env", "expected"),
    [
        ("", {}, "no mail destination"),
        ("[mail]\nport = 25\n", {}, "mail.host"),
        (
            '[mail]\nhost = "smtp.example.com"\nfrom = "a@example.com"\nto = "b@example.com"\n'
            "port = 70000\n",
            {},
            "mail.port",
        ),
        (
            '[mail]\nhost = "smtp.example.com"\nfrom = "nobody"\nto = "b@example.com"\n',
            {},
            "mail.from",
        ),
        (
            '[mail]\nhost = "smtp.example.com"\nfrom = "a@example.com"\nto = []\n',
            {},
            "mail.to",
        ),
        (
            '[mail]\nhost = "smtp.example.com"\nfrom = "a@example.com"\nto = "b@example.com"\n'
            'security = "none"\nusername = "reports"\n',
            {},
            "clear text",
        ),
        (
            '[mail]\nhost = "smtp.example.com"\nfrom = "a@example.com"\nto = "b@example.com"\n'
            'security = "tls"\n',
            {},
            "starttls, ssl, none",
        ),
        (
            '[mail]\nhost = "smtp.example.com"\nfrom = "a@example.com"\nto = "b@example.com"\n'
            f'password = "{PASSWORD}"\n',
            {},
            "secrets are read only from the environment",
        ),
        (
            '[mail]\nhost = "smtp.example.com"\nfrom = "a@example.com"\nto = "b@example.com"\n'
            'username = "reports"\npassword_env = "UNSET_SMTP_PASSWORD"\n',
            {},
            "UNSET_SMTP_PASSWORD is not set",
        ),
        ("", {"CALLREP_NOTIFY": f"json://user:{PASSWORD}@127.0.0.1:9/"}, "no mailto://"),
        ("", {"CALLREP_NOTIFY": f"nosuchscheme://{PASSWORD}@x/"}, "CALLREP_NOTIFY"),
        ('notify_config = "missing-apprise.yml"\n', {}, "no such file"),
    ],
)
def test_bad_settings_give_one_line_and_exit_2(tmp_path, toml, env, expected):
    config = tmp_path / "callrep.toml"
    config.write_text(toml, encoding="utf-8")
    result = run_report(tmp_path, {"CALLREP_CONFIG": str(config), **env})
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("callrep: error: "), result.stderr
    assert expected in lines[0]
    assert PASSWORD not in result.output
    assert not (tmp_path / "out").exists()  # refused before the week is rendered


def test_refused_connection_gives_one_line(tmp_path):
    port = free_port()  # nothing listens there
    toml = mail_toml(tmp_path / "callrep.toml", port)
    result = run_report(tmp_path, {"CALLREP_CONFIG": str(toml)})
    assert result.exit_code == 2, result.output
    # the week's note (the fixture's data is old), then the failure in one line
    (line,) = [x for x in result.stderr.splitlines() if not x.startswith("callrep: note: ")]
    assert line.startswith(f"callrep: error: could not send the report through 127.0.0.1:{port}")
    assert "refused" in line.lower()
    assert PASSWORD not in result.output
    assert list((tmp_path / "out").glob("weekly-*.html"))  # the report file is still written
