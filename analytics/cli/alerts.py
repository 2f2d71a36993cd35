"""``callrep alerts``: announce the states that need action, once per episode and destination."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from analytics.alerts import AlertRun, digest, run_alerts
from analytics.alerts.episodes import Pending
from analytics.cli.options import account_option, db_option, settings
from analytics.config import Settings
from analytics.notify import load_destinations


def alert(
    config: Settings,
    *,
    as_json: bool = False,
    dry_run: bool = False,
    accounts: Sequence[str] = (),
) -> AlertRun:
    """Run the alerts for ``config`` (only ``accounts``' episodes when given) and print what
    they found (shared with ``collect``)."""
    destinations = load_destinations(config_file=config.notify.config_file)
    result = run_alerts(
        config.db_path, destinations, dry_run=dry_run, pricing=config.pricing, accounts=accounts
    )
    show(result, as_json=as_json)
    return result


def _counts(owed: Sequence[Pending]) -> str:
    new = sum(1 for p in owed if p.kind == "opened")
    return f"{new:,} new, {len(owed) - new:,} resolved"


def show(result: AlertRun, *, as_json: bool) -> None:
    """The items on stdout (human lines or JSON lines); deliveries and failures one line each."""
    if as_json:
        for item in result.items:
            click.echo(digest.json_line(item, result.title(item.rule)))
    else:
        lines = digest.human(result.rules, result.items)
        click.echo("\n".join(lines) if lines else "alerts: nothing needs action")
    if result.models_stale:
        click.echo(
            "alerts: warning: the models are older than the data (a collection since the last "
            "build); run `callrep build`, or use `callrep collect --alert`",
            err=True,
        )
    for rule_id, why in result.not_judged.items():
        click.echo(f"alerts: {result.title(rule_id)} not judged: {why}", err=True)
    sent = {d.destination.key for d in result.deliveries if d.ok}
    for destination in result.destinations:
        owed = result.owed[destination.key]
        counts = _counts(owed)
        if result.dry_run and not owed:
            click.echo(f"alerts: dry run: nothing to send to {destination.name}", err=as_json)
        elif result.dry_run:
            click.echo(f"alerts: dry run: would send {destination.name}: {counts}", err=as_json)
        elif destination.key in sent:
            click.echo(f"alerts: sent to {destination.name}: {counts}", err=as_json)
    for line in digest.describe(result.deliveries):
        click.echo(line, err=True)
    if not result.destinations:
        click.echo(
            "alerts: no destination (set CALLREP_NOTIFY or notify_config): nothing sent", err=True
        )


@click.command(name="alerts")
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per item, one per line.")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send and record nothing.")
@click.option(
    "--exit-status",
    is_flag=True,
    help="Exit 1 when new items were announced (for monitoring systems), else 0.",
)
@account_option("Judge and announce only this account's items (repeatable; default: all).")
def alerts_command(
    db: Path | None,
    as_json: bool,
    dry_run: bool,
    exit_status: bool,
    accounts: tuple[str, ...],
) -> None:
    """Evaluate the alert rules against the latest build and announce what changed.

    Each item (a rule and its subject: a number, an enterprise, a source) is announced once
    when it starts to match and once when it stops (resolved), to every destination in
    $CALLREP_NOTIFY or the apprise file that notify_config names in callrep.toml.

    \b
    Example:
      CALLREP_NOTIFY='json://hooks.example.com/callrep' callrep alerts --exit-status
      callrep alerts --account clinic-west --dry-run
    """
    result = alert(settings(db), as_json=as_json, dry_run=dry_run, accounts=accounts)
    if exit_status and result.new_announced:
        sys.exit(1)
