"""``quizsvc regrade`` and ``quizsvc attempts sweep``."""

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from tqdm import tqdm

from quizsvc import jobs
from quizsvc.cli import ID, ORG, _organisation_id, _session


def _bar(desc: str):
    return lambda items: tqdm(items, desc=desc, unit="attempt", disable=None, file=sys.stderr)


@click.command("regrade")
@click.option("--attempt", "attempt_id", type=ID, default=None, help="One attempt.")
@click.option("--quiz", "quiz_id", type=ID, default=None, help="Every graded attempt of a quiz.")
@click.option("--all", "everything", is_flag=True, help="Every graded attempt (of --org, or of all organisations).")
@click.option(
    "--org",
    "org",
    type=ORG,
    default=None,
    help="Organisation name (default: all with --all, else QUIZSVC_DEFAULT_ORG).",
)
@click.option("--force", is_flag=True, help="Also attempts this grader already graded.")
@with_appcontext
def regrade_command(attempt_id, quiz_id, everything, org, force):
    """Grade graded attempts again with the current grader; earlier grades stay in the history."""
    from quizsvc.services import attempts

    if sum((attempt_id is not None, quiz_id is not None, everything)) != 1:
        raise click.UsageError("Give exactly one of --attempt, --quiz or --all.")
    with _session() as session:
        organisation_id = None
        if org is not None or not everything:
            organisation_id = _organisation_id(session, org or current_app.config["QUIZSVC_DEFAULT_ORG"])
        ids = attempts.attempts_to_regrade(
            session, organisation_id=organisation_id, quiz_id=quiz_id, attempt_id=attempt_id
        )
    if attempt_id is not None and not ids:
        raise click.ClickException(f"No graded attempt {attempt_id} in this organisation.")
    counts = jobs.regrade(current_app, ids, force=force, progress=_bar("regrading"))
    click.echo(f"{counts['grades']} new grades for {counts['attempts']} of {len(ids)} graded attempts")


attempts_cli = click.Group("attempts", help="Attempts.")


@attempts_cli.command("sweep")
@with_appcontext
def attempts_sweep():
    """Expire invitations, submit attempts whose time is up and grade submitted ones (queue consumers do this every minute)."""
    counts = jobs.sweep(current_app, progress=_bar("sweeping"))
    click.echo(
        f"{counts['checked']} due: {counts['graded']} graded, {counts['expired']} expired, {counts['failed']} failed"
    )


def init_app(app) -> None:
    app.cli.add_command(regrade_command)
    app.cli.add_command(attempts_cli)
