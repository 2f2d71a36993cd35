"""``callrep report``: the weekly HTML report."""

from __future__ import annotations

from pathlib import Path

import click

from analytics.cli.options import account_option, db_option, settings
from analytics.cli.progress import progress_for, quiet_option
from analytics.mail.deliver import check_destination, deliver
from analytics.mail.weekly import write_and_render_mail
from analytics.orchestration import build_if_stale
from analytics.report.accounts import read_by_readers, scope
from analytics.report.weekly import write_report
from analytics.report.weeks import IsoWeek
from analytics.store.database import copy_behind, open_readonly


@click.command(name="report")
@db_option
@click.option(
    "--week",
    default=None,
    help="ISO week, e.g. 2026-W46 (default: the last ended week with a collection).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports-out"),
    show_default=True,
    help="Folder for weekly-<week>.html.",
)
@click.option("--static", is_flag=True, help="Charts as inline SVG, for mail clients without JS.")
@click.option(
    "--mail",
    is_flag=True,
    help="Also mail it: a short body with the charts as images, the report attached "
    "(to [mail] in callrep.toml, else the mailto:// URLs of CALLREP_NOTIFY).",
)
@account_option("Only this account's data (repeatable; default: every account).")
@quiet_option
def report(
    db: Path | None,
    week: str | None,
    out: Path,
    static: bool,
    mail: bool,
    accounts: tuple[str, ...],
    quiet: bool,
) -> None:
    """Write the weekly report as one self-contained HTML file.

    Builds the models first if a collection ran since the last build. The default week is the
    last ISO week (UTC) that has ended and has a successful collection; a week without one is
    refused, naming the latest week that has data.

    With --mail, the report also goes by mail: the verdict, the tiles, the top rows of each
    action list and the charts as PNG images, with the full report attached. SMTP settings come
    from callrep.toml's [mail] (the password from the variable its password_env names), else
    the mailto:// or mailtos:// URLs of CALLREP_NOTIFY or of the file notify_config names.

    \b
    Example:
      callrep report --week 2026-W46 --out reports-out --static
      callrep report --mail
      callrep report --account clinic-west --account clinic-east
    """
    config = settings(db)
    wanted = IsoWeek.parse(week) if week else None
    if mail:
        check_destination(config)  # a bad setting fails before the week is rendered
    with progress_for(quiet) as progress:
        check = build_if_stale(config.db_path, config.pricing, progress=progress)
    if check.busy:
        click.echo(f"callrep: warning: not rebuilding first: {check.busy}", err=True)
    con = open_readonly(config.db_path)  # warns on stderr when the copy is behind
    behind = copy_behind(config.db_path)
    options = {
        "pricing": config.pricing,
        "static": static,
        "warnings": [f"Warning: {behind}."] if behind else [],
    }
    try:
        scope(con, accounts, read_by_readers())  # the header names the accounts covered
        if mail:
            written, body = write_and_render_mail(con, out, wanted, **options)
        else:
            written, body = write_report(con, out, wanted, **options), None
    finally:
        con.close()
    if written.notice:
        click.echo(f"callrep: note: {written.notice}", err=True)
    first = f"; {check.built.summary()} first" if check.built else ""
    click.echo(
        f"report: {written.path} ({written.bytes / 1e6:.1f} MB, {written.seconds:.1f} s{first})"
    )
    if body is not None:
        kb = len(body.html.encode("utf-8")) / 1024
        for sent in deliver(body, config):
            click.echo(
                f"mail: sent {body.attachment_name} to {', '.join(sent.recipients)} via "
                f"{sent.server} (body {kb:.0f} KB, {len(body.images)} charts)"
            )
            if sent.refused:
                click.echo(f"callrep: warning: refused: {', '.join(sent.refused)}", err=True)
