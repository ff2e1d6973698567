"""``quizsvc examples ...``: import reviewed examples from a graded dataset, and the
organisation setting that turns overrides into examples."""

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from tqdm import tqdm

from quizsvc.cli import _default_org, _organisation_id, _session

examples_cli = click.Group("examples", help="Reviewed examples: answers a person graded.")


@examples_cli.command("import")
@click.option(
    "--data",
    "data",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    required=True,
    help="CSV or JSONL in the layout of 'grader eval' (question, reference_answer, answer, score; "
    "optional question_id, note).",
)
@click.option("--org", "org", default=None, help="Organisation name (default: QUIZSVC_DEFAULT_ORG).")
@click.option(
    "--scale",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="The file's full score (default: its highest score, as 'grader eval' reads it).",
)
@with_appcontext
def examples_import(data, org, scale):
    """Add each graded answer as a reviewed example of the stored question it answers.

    A row belongs to the question whose slug is its question_id, else to the question whose
    latest prompt is its question text; rows matching no question are counted and skipped.
    """
    from quizsvc.scoring import evaluate
    from quizsvc.services import examples

    try:
        items = evaluate.load_dataset(data)
    except evaluate.DatasetError as error:
        raise click.ClickException(str(error)) from None
    full = scale or max(max(item.score for item in items), 1e-9)
    with _session() as session:
        organisation_id = _organisation_id(session, org or _default_org())
        matcher = examples.question_matcher(session, organisation_id=organisation_id)
        added = skipped = 0
        with tqdm(total=len(items), desc=data.name, unit="answer", disable=None, file=sys.stderr) as bar:
            for item in items:
                question_id = matcher(item.question_id, item.question)
                if question_id is None:
                    skipped += 1
                else:
                    score = min(max(item.score / full * 100.0, 0.0), 100.0)
                    example_in = {"answer": item.answer, "score": score, "note": item.note}
                    examples.create(
                        session,
                        organisation_id=organisation_id,
                        question_id=question_id,
                        example_in=example_in,
                        source="import",
                    )
                    added += 1
                bar.update(1)
    click.echo(f"{data}: {added} examples added, {skipped} rows matched no question")


@examples_cli.command("from-overrides")
@click.argument("state", type=click.Choice(["on", "off"]))
@click.option("--org", "org", default=None, help="Organisation name (default: QUIZSVC_DEFAULT_ORG).")
@with_appcontext
def examples_from_overrides(state, org):
    """Whether each reviewer override becomes a reviewed example of its question (default on)."""
    from quizsvc.services import examples

    name = org or _default_org()
    with _session() as session:
        examples.set_from_overrides(session, organisation_id=_organisation_id(session, name), enabled=state == "on")
    click.echo(f"{name}: overrides {'become' if state == 'on' else 'no longer become'} reviewed examples")


def init_app(app) -> None:
    app.cli.add_command(examples_cli)
