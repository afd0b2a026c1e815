"""The batch commands of ``imk``: import, template, batch (show, report, revoke), deliver.

``imk import FILE --issuer SLUG`` reads the file, issues it all or nothing with a progress
bar (rate and ETA), prints the outcome, writes the report where ``--report`` says (CSV or
JSON by its extension), then delivers into the wallets. Exit codes as for every ``imk``
command: 0 issued (or, in a dry run, valid), 1 refused, 2 unusable input.
"""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from wallet import batches
from wallet.batches import BatchOptions
from wallet.db import batch_crud
from wallet.db.models import IssuanceBatch
from wallet.errors import InputError, NotFoundError, PayloadTooLargeError
from wallet.intake import columns
from wallet.intake.report import report_csv, report_json
from wallet.revocation import Action
from wallet.service import Services


class _RateColumn(ProgressColumn):
    """Credentials signed per second."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.0f}/s" if task.speed else "", style="progress.data.speed")


def progress_bar(console: Console | None = None) -> Progress:
    """The bar of ``imk import``: done of total, per cent, credentials per second, and the
    time left; drawn on stderr when it is a terminal (``console`` for tests)."""
    console = console or Console(stderr=True)
    return Progress(
        TextColumn("[bold]signing"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
        _RateColumn(), TimeRemainingColumn(),
        console=console, transient=True, disable=not console.is_terminal,
    )  # fmt: skip


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _read_file(name: str, max_bytes: int) -> bytes:
    path = Path(name)
    try:
        if path.stat().st_size > max_bytes:
            raise PayloadTooLargeError(f"{name} is larger than {max_bytes} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.__class__.__name__}") from exc


def _summary(batch: IssuanceBatch) -> str:
    if batch.state == "refused":
        return f"batch {batch.id} refused: {batch.refused} row(s) refused, nothing issued"
    verb, counted = (
        ("checked (dry run)", "valid") if batch.state == "checked" else (batch.state, "issued")
    )
    return (
        f"batch {batch.id} {verb}: {batch.issued} {counted}, "
        f"{batch.skipped} skipped (issued before)"
    )


def _write_report(batch: IssuanceBatch, target: str | None, out: TextIO) -> None:
    entries = batches.report_entries(batch)
    if target is None:
        for entry in entries:
            if entry.outcome == "refused":
                where = f"{entry.locator}" + (f", {entry.field}" if entry.field else "")
                print(f"  {where}: {entry.reason}", file=out)
        return
    path = Path(target)
    if path.suffix.lower() == ".json":
        path.write_text(report_json(entries), encoding="utf-8")
    else:
        path.write_bytes(report_csv(entries).encode("utf-8"))
    print(f"report written to {path}", file=out)


def cmd_import(args: argparse.Namespace, services: Services, out: TextIO) -> int:
    ctx = services.batches
    data = _read_file(args.file, ctx.max_bytes)
    issuer = services.registry.by_slug(args.issuer)
    options = BatchOptions(
        filename=args.file, type_name=args.type, formats=args.format, dry_run=args.dry_run,
        encoding=args.encoding, idempotency_key=args.key,
    )  # fmt: skip
    batch, fresh = batches.submit(
        ctx, issuer=issuer, data=data, options=options, actor=_actor(), now=services.now()
    )
    if fresh:
        with progress_bar() as bar:
            task = bar.add_task("signing", total=None)

            def tell(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            batch = batches.run(
                ctx, batch=batch, issuer=issuer, data=data, options=options,
                now=services.now(), progress=tell,
            )  # fmt: skip
    else:
        print(f"batch {batch.id} was issued before under the same key", file=out)
    print(_summary(batch), file=out)
    _write_report(batch, args.report, out)
    if batch.state == "refused":
        return 1
    delivered = services.deliver_pending()
    if delivered:
        print(f"{delivered} credential(s) delivered into wallets", file=out)
    return 0


def cmd_template(args: argparse.Namespace, services: Services, out: TextIO) -> int:
    ctype = services.types.get(args.type)
    out.write(columns.template_csv(ctype))
    return 0


def cmd_batch_show(args: argparse.Namespace, services: Services, out: TextIO) -> int:
    batch = _batch(services, args.issuer, args.batch_id)
    print(_summary(batch) if batch.state != "running" else
          f"batch {batch.id} running: {batch.done} of {batch.total} signed", file=out)  # fmt: skip
    _write_report(batch, args.report, out)
    return 0


def cmd_batch_status(args: argparse.Namespace, services: Services, out: TextIO) -> int:
    action = (
        Action.SUSPEND if args.suspend else Action.UNSUSPEND if args.unsuspend else Action.REVOKE
    )
    with services.session() as session:
        counts = batches.change_batch_status(
            session, issuer_slug=args.issuer, batch_id=args.batch_id, action=action,
            reason=args.reason, actor=_actor(), now=services.now(),
        )  # fmt: skip
        session.commit()
    print(
        f"batch {args.batch_id}: {counts['changed']} changed, {counts['unchanged']} already "
        f"so, {counts['revoked']} revoked before (left revoked)",
        file=out,
    )
    return 0


def cmd_deliver(args: argparse.Namespace, services: Services, out: TextIO) -> int:
    delivered = services.deliver_pending()
    print(f"{delivered} credential(s) delivered into wallets", file=out)
    return 0


def _batch(services: Services, issuer_slug: str, batch_id: str) -> IssuanceBatch:
    with services.session() as session:
        batch = batch_crud.get(session, issuer_slug=issuer_slug, batch_id=batch_id)
    if batch is None:
        raise NotFoundError("no such batch")
    return batch


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the batch commands to ``imk``'s parser (handlers take the services)."""
    p = sub.add_parser("import", help="issue a batch file (CSV, JSON Lines, ELMO XML, .zip)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--issuer", required=True, metavar="SLUG")
    p.add_argument("--type", help="the credential type of every row")
    p.add_argument("--format", default="vc+jwt", choices=sorted(batches.FORMATS))
    p.add_argument("--dry-run", action="store_true", help="check and report; issue nothing")
    p.add_argument("--encoding", help="the text encoding when not UTF-8 (e.g. windows-1257)")
    p.add_argument("--key", help="the idempotency key (default: the file's SHA-256)")
    p.add_argument("--report", metavar="FILE.csv|FILE.json", help="write the report here")
    p.set_defaults(services_handler=cmd_import)

    p = sub.add_parser("template", help="print a credential type's CSV template")
    p.add_argument("type")
    p.set_defaults(services_handler=cmd_template)

    batch = sub.add_parser("batch", help="batches issued before").add_subparsers(
        dest="batch_command", required=True
    )
    p = batch.add_parser("show", help="a batch's state, counts and refusals")
    p.add_argument("batch_id", metavar="BATCH_ID")
    p.add_argument("--issuer", required=True, metavar="SLUG")
    p.add_argument("--report", metavar="FILE.csv|FILE.json", help="write the report here")
    p.set_defaults(services_handler=cmd_batch_show)
    p = batch.add_parser("revoke", help="revoke (final), suspend or unsuspend a whole batch")
    p.add_argument("batch_id", metavar="BATCH_ID")
    p.add_argument("--issuer", required=True, metavar="SLUG")
    change = p.add_mutually_exclusive_group()
    change.add_argument("--suspend", action="store_true", help="suspend instead of revoking")
    change.add_argument("--unsuspend", action="store_true", help="lift a suspension")
    p.add_argument("--reason", required=True, help="why (kept in the audit log)")
    p.set_defaults(services_handler=cmd_batch_status)

    p = sub.add_parser("deliver", help="deliver issued credentials still waiting for wallets")
    p.set_defaults(services_handler=cmd_deliver)


__all__ = ["add_parsers"]
