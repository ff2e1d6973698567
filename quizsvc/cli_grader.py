"""``quizsvc grader ...`` and ``quizsvc score``: measure, refit and use the grader from the shell."""

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from tqdm import tqdm

from quizsvc.cli import ID, ORG, Text, _organisation_id, _session
from quizsvc.grading import grading
from quizsvc.schemas.fields import clean

grader_cli = click.Group("grader", help="Measure and calibrate the grader.")


def _observe(grader, path: Path):
    from quizsvc.scoring import evaluate

    try:
        items = evaluate.load_dataset(path)
    except evaluate.DatasetError as error:
        raise click.ClickException(str(error)) from None
    with tqdm(total=len(items), desc=path.name, unit="answer", disable=None, file=sys.stderr) as bar:
        return evaluate.observe(grader, items, on_progress=bar.update)


def _label(path: Path) -> str:
    """A dataset as a parameter file records it: its folder and name ("ads_zh/train.csv")."""
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def _offline_grader(params: Path | None):
    """A grader that keeps reference vectors in memory only: datasets are not the bank."""
    from quizsvc.scoring.calibration import load_parameters
    from quizsvc.scoring.grader import Grader

    state = current_app.extensions["quizsvc.grading"]
    parameters = load_parameters(params) if params else state["default"]
    return Grader(state["embedder"], parameters)


@grader_cli.command("eval")
@click.option("--data", "data", type=click.Path(dir_okay=False, exists=True, path_type=Path), required=True)
@click.option(
    "--group-cv", type=int, default=None, help="Refit in K folds split by question; report out-of-fold grades."
)
@click.option(
    "--params",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Parameter file to grade with (default: the shipped one).",
)
@click.option(
    "--examples",
    "examples",
    type=click.IntRange(min=0),
    default=0,
    help="Simulate K reviewed examples per question; grade only the other answers.",
)
@click.option(
    "--draws", type=click.IntRange(min=1), default=5, help="With --examples: random draws of examples to average."
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@with_appcontext
def grader_eval(data, group_cv, params, examples, draws, as_json):
    """Agreement with human grades: Pearson, Spearman, RMSE and, for 0/1 labels, ROC AUC."""
    from quizsvc.scoring import evaluate, learning

    grader = _offline_grader(params)
    obs = _observe(grader, data)
    if examples:
        if group_cv:
            found = learning.cross_validated_examples(obs, group_cv, examples, draws=draws)
        elif "examples" in grader.parameters.models:
            found = learning.with_parameters(obs, grader.parameters.models, examples, draws=draws)
        else:
            raise click.ClickException("these parameters have no examples model: use --group-cv or refit them")
        result = learning.mean_report(obs, found, evaluate.report)
    elif group_cv:
        try:
            predicted = evaluate.cross_validated(obs, group_cv)
        except ValueError as error:
            raise click.ClickException(str(error)) from None
    else:
        predicted = evaluate.predict(obs, grader.parameters.models)
    if not examples:
        result = evaluate.report(obs, predicted)
    result["examples"] = examples
    result["data"] = str(data)
    result["parameters"] = f"group-cv {group_cv}" if group_cv else grader.parameters.name
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    for key, value in result.items():
        click.echo(f"{key:>22}  {value}")


@grader_cli.command("calibrate")
@click.option(
    "--data",
    "data",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    required=True,
    multiple=True,
    help="CSV or JSONL of (question, reference answer(s), answer, score); repeatable.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--name", default=None, help="Name recorded in the file (default: the output's stem).")
@with_appcontext
def grader_calibrate(data, output, name):
    """Refit the grader's parameters on human-graded answers and write a parameter file."""
    from quizsvc.scoring import evaluate

    grader = _offline_grader(None)
    observations = [_observe(grader, path) for path in data]
    parameters = evaluate.calibrate(
        observations, [_label(p) for p in data], name=name or output.stem, encode=grader.embedder.encode
    )
    output.write_text(parameters.to_json(), encoding="utf-8")
    click.echo(
        f"{output}: {parameters.name}, sha256 {parameters.digest[:12]}, fitted on {sum(len(o.items) for o in observations)} answers"
    )


@grader_cli.command("use")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path), required=False)
@click.option("--org", "org", type=ORG, default=None, help="Organisation name (default: QUIZSVC_DEFAULT_ORG).")
@click.option("--default", "use_default", is_flag=True, help="Go back to the shipped parameters.")
@with_appcontext
def grader_use(path, org, use_default):
    """Make an organisation grade with this parameter file (or the default again)."""
    from quizsvc.services import grading as grading_service

    if (path is None) == (not use_default):
        raise click.UsageError("give a parameter file or --default, not both")
    name = org or current_app.config["QUIZSVC_DEFAULT_ORG"]
    with _session() as session:
        organisation_id = _organisation_id(session, name)
        body = None if use_default else path.read_text(encoding="utf-8")
        grading_service.set_organisation_parameters(
            session, organisation_id=organisation_id, body=body, name=path.name if path else ""
        )
    click.echo(f"{name}: grading with {'the default parameters' if use_default else path}")


def _keyword(value: str):
    from quizsvc.scoring.keywords import Keyword

    term, _, aliases = value.partition("=")
    return Keyword(term.strip(), tuple(a.strip() for a in aliases.split(",") if a.strip()))


@click.command("score")
@click.argument("answer")
@click.option("--question-id", type=ID, default=None, help="A stored question of --org.")
@click.option("--version", type=ID, default=None, help="With --question-id: a given version (default latest).")
@click.option("--org", "org", type=ORG, default=None, help="Organisation name (default: QUIZSVC_DEFAULT_ORG).")
@click.option(
    "--reference", type=Text(), multiple=True, help="Ad-hoc reference answer (repeatable) instead of --question-id."
)
@click.option("--prompt", type=Text(), default="", help="With --reference: the question's text.")
@click.option("--keyword", type=Text(), multiple=True, help="With --reference: TERM or TERM=ALIAS,ALIAS (repeatable).")
@with_appcontext
def score_command(answer, question_id, version, org, reference, prompt, keyword):
    """Grade ANSWER ('-' reads standard input) and print the result as JSON; nothing is stored."""
    from quizsvc.scoring.signals import QuestionSpec
    from quizsvc.services import grading as grading_service

    if answer == "-":
        answer = sys.stdin.read()
    answer = clean(answer)  # what a paste carries, as the API's answers
    if (question_id is None) == (not reference):
        raise click.UsageError("give --question-id or --reference")
    with _session() as session:
        if question_id is not None:
            organisation_id = _organisation_id(session, org or current_app.config["QUIZSVC_DEFAULT_ORG"])
            version_row, result = grading_service.score_stored(
                session,
                grader=grading.grader_for(session, organisation_id=organisation_id),
                cache=grading.prepared,
                organisation_id=organisation_id,
                question_id=question_id,
                version=version,
                answer=answer,
            )
            payload = {"question_id": question_id, "version": version_row.version, **result.to_dict()}
        else:
            spec = QuestionSpec(prompt=prompt, references=tuple(reference), keywords=tuple(map(_keyword, keyword)))
            payload = grading_service.score_adhoc(grader=grading.grader(), spec=spec, answer=answer).to_dict()
    click.echo(json.dumps(payload, ensure_ascii=False, indent=1))


def init_app(app) -> None:
    app.cli.add_command(grader_cli)
    app.cli.add_command(score_command)
