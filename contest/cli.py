"""`flask` commands: users, rounds, demo data."""

import os

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from contest import doctor, mail
from contest.accounts import users as accounts
from contest.community import push
from contest.config import save_vapid_keys
from contest.demo import is_empty, seed_demo
from contest.entries.storage import get_storage
from contest.errors import ContestError
from contest.jobs import run_worker, scheduled_work
from contest.rounds import editing, results
from contest.rounds import phases as rounds

users_cli = AppGroup("users", help="Manage accounts.")
rounds_cli = AppGroup("rounds", help="Schedule and close rounds.")
demo_cli = AppGroup("demo", help="Demo data for a new site.")
storage_cli = AppGroup("storage", help="Video storage.")
push_cli = AppGroup("push", help="Web Push.")
mail_cli = AppGroup("mail", help="Outgoing mail.")


@mail_cli.command("test")
@click.argument("address")
def mail_test(address):
    """Send one message to ADDRESS now, through MAIL_SERVER, and say how it went."""
    if not current_app.config.get("MAIL_SERVER"):
        raise click.ClickException("MAIL_SERVER is not set: mails are written to the log.")
    mail_id = mail.send_mail(
        address,
        "Ginga: a test message",
        "This is a test message from Ginga: if you read it, mail works.",
        reason="You get this because an operator ran `flask mail test`.",
        queue=False,
    )
    state = mail.deliver(mail_id)
    if state != "sent":
        raise click.ClickException(f"not sent ({state}): see the log for the server's answer.")
    click.echo(f"sent to {address}")


@push_cli.command("keys")
def push_keys():
    """Print a new VAPID key pair to put in the configuration."""
    public, private = push.make_keys()
    click.echo(f"VAPID_PUBLIC_KEY={public}")
    click.echo(f"VAPID_PRIVATE_KEY={private}")
    click.echo("VAPID_SUBJECT=mailto:you@example.com")


def _fail(error):
    raise click.ClickException(error.message)


@users_cli.command("create")
@click.argument("username")
@click.option("--email", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice(["fan", "moderator", "admin"]), default="fan")
def create_user(username, email, password, role):
    """Create an account."""
    try:
        user = accounts.register_user(username, email, password, role=role, verified=True)
    except ContestError as error:
        _fail(error)
    click.echo(f"Created {user.role} {user.username} (id {user.id}).")


@users_cli.command("promote")
@click.argument("username")
@click.argument("role", type=click.Choice(["fan", "moderator", "admin"]))
def promote_user(username, role):
    """Give USERNAME a ROLE."""
    try:
        user = accounts.set_role(username, role)
    except ContestError as error:
        _fail(error)
    click.echo(f"{user.username} is now {user.role}.")


@rounds_cli.command("create-monthly")
@click.option("--month", help="YYYY-MM; default: next month.")
def create_monthly(month):
    """Create a month's round; running it twice makes one round."""
    year = mon = None
    if month:
        try:
            year, mon = (int(p) for p in month.split("-"))
        except ValueError:
            raise click.BadParameter("use YYYY-MM", param_hint="--month") from None
    try:
        round_, created = editing.create_monthly_round(year, mon)
    except ContestError as error:
        _fail(error)
    verb = "Created" if created else "Already there:"
    click.echo(f"{verb} round {round_.slug} (id {round_.id}), phase {rounds.phase(round_)}.")


@rounds_cli.command("close")
@click.argument("round_id", type=int)
@click.option("--force", is_flag=True, help="Close even while voting is open.")
def close(round_id, force):
    """Freeze a round's ranking into results."""
    try:
        round_ = results.close_round(round_id, force=force)
    except ContestError as error:
        _fail(error)
    for result in results.frozen_results(round_)[:10]:
        click.echo(
            f"{result.rank:>3}. {result.entry.title} by {result.entry.author.username} "
            f"score {result.score:.3f} ({result.count} ratings)"
        )
    click.echo(f"Round {round_.slug} is closed.")


@rounds_cli.command("publish")
@click.argument("round_id", type=int)
def publish(round_id):
    """Make a closed round's results public."""
    try:
        round_ = results.publish_round(round_id)
    except ContestError as error:
        _fail(error)
    click.echo(f"Round {round_.slug} results are public.")


@rounds_cli.command("close-due")
def close_due():
    """Close every round whose voting has ended (the scheduler does this on its own)."""
    closed = results.close_due_rounds()
    click.echo(f"Closed {len(closed)} round(s).")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when users exist.")
def seed(if_empty):
    """Fill an empty database with fans, rounds, videos and ratings."""
    if if_empty and not is_empty():
        click.echo("The site already has users: no demo data added.")
        return
    try:
        summary = seed_demo()
    except ContestError as error:
        _fail(error)
    click.echo(summary)
    config = current_app.config
    if not config.get("VAPID_PUBLIC_KEY") or not config.get("VAPID_PRIVATE_KEY"):
        # push works out of the box on the demo site: its own key pair, kept in instance/
        public, private = push.make_keys()
        save_vapid_keys(current_app.instance_path, public, private)
        config["VAPID_PUBLIC_KEY"], config["VAPID_PRIVATE_KEY"] = public, private
        click.echo(f"Made Web Push keys for this site in {current_app.instance_path}/.")


@storage_cli.command("setup")
def storage_setup():
    """Create the bucket if missing, set its CORS rule and the stale-upload lifecycle rule."""
    storage = get_storage()
    if not hasattr(storage, "setup"):
        click.echo(f"STORAGE={storage.kind}: nothing to set up.")
        return
    origins = [
        o.strip().rstrip("/") for o in current_app.config["SITE_URL"].split(",") if o.strip()
    ]
    try:
        for line in storage.setup(origins):
            click.echo(line)
    except ContestError as error:
        _fail(error)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty (for tests and cron).")
def worker(burst):
    """Run background jobs from Redis (JOB_QUEUE=rq): video processing and the timed work."""
    try:
        run_worker(current_app._get_current_object(), burst=burst)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None


@click.command("doctor")
@click.option(
    "--processes",
    type=int,
    default=lambda: int(os.environ.get("PROCESSES") or 1),
    help="App processes the site runs (all machines); default $PROCESSES or 1.",
)
@click.option(
    "--worker-class",
    type=click.Choice(["gthread", "gevent"]),
    default=lambda: os.environ.get("WORKER_CLASS") or "gthread",
    help="gunicorn's worker class; default $WORKER_CLASS or gthread.",
)
@with_appcontext
def doctor_command(processes, worker_class):
    """Check the configuration a real deployment needs; exit 1 if anything is wrong."""
    findings = doctor.check(current_app._get_current_object(), processes, worker_class)
    for finding in findings:
        mark = "PROBLEM" if finding.problem else "ok     "
        click.echo(f"{mark} {finding.part}: {finding.text}")
    problems = sum(f.problem for f in findings)
    if problems:
        click.echo(f"{problems} problem(s) to fix before fans arrive.")
        raise SystemExit(1)
    click.echo("Everything a deployment needs is in place.")


@click.command("tick")
def tick():
    """Run the timed work once now: shortlists, closing, the stale-job sweeper, digests, gc."""
    scheduled_work()
    click.echo("Done.")


def init_app(app):
    app.cli.add_command(worker)
    app.cli.add_command(tick)
    app.cli.add_command(doctor_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(rounds_cli)
    app.cli.add_command(push_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(storage_cli)
