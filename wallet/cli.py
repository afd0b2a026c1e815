"""The ``imk`` command (also ``python -m wallet``).

Exit codes: 0 success (for ``verify``: verified); 1 the operation was refused or the
credential does not verify; 2 unusable input (bad arguments, unreadable files, a token
that cannot be parsed). Errors are printed as one line to stderr; secrets never are,
except the API token that ``issuer token`` prints once, to stdout.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from wallet import access, accounts, cli_batches, demo
from wallet.config import Settings, load_settings
from wallet.db import crud
from wallet.db.migrate import upgrade
from wallet.errors import InputError, NotFoundError, WalletError
from wallet.issuance import IssueRequest, Learner, build_credential, issue_batch
from wallet.jose import loads_object
from wallet.revocation import Action, change_status
from wallet.service import Services
from wallet.trust import scaffold_entry
from wallet.verifier import verify_credential

#: Largest file ``imk verify`` and ``imk issue`` read.
MAX_INPUT_BYTES = 1024 * 1024


def _read_input(name: str, stdin: TextIO) -> str:
    if name == "-":
        text = stdin.read(MAX_INPUT_BYTES + 1)
    else:
        path = Path(name)
        try:
            if path.stat().st_size > MAX_INPUT_BYTES:
                raise InputError(f"{name} is larger than {MAX_INPUT_BYTES} bytes")
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read {name}: {exc.__class__.__name__}") from exc
    if len(text) > MAX_INPUT_BYTES:
        raise InputError(f"input is larger than {MAX_INPUT_BYTES} bytes")
    return text


def _read_json(name: str, stdin: TextIO) -> dict[str, Any]:
    """Read a file holding one JSON object, parsed strictly (no NaN, no duplicate members)."""
    return loads_object(_read_input(name, stdin).encode("utf-8"), what=name)


def _parse_time(text: str) -> int:
    try:
        if "T" in text:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
        else:
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    except ValueError as exc:
        raise InputError("dates are ISO 8601: 2026-05-01 or 2026-05-01T12:00:00Z") from exc
    return int(moment.timestamp())


def _services(settings: Settings) -> Services:
    """Migrate the database and build this process's services; use as a context manager."""
    upgrade(settings.database_url)
    return Services.build(settings)


def cmd_serve(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    import uvicorn

    from wallet.web.app import create_app

    with _services(settings) as services:
        if settings.demo:
            _print_demo(demo.seed(services), demo.seed_learner(services), services, out)
        uvicorn.run(create_app(settings, services=services), host=args.host, port=args.port)
        return 0


def _print_demo(
    logins: Sequence[demo.DemoLogin],
    learner: demo.DemoLearner,
    services: Services,
    out: TextIO,
) -> None:
    base = services.settings.base_url
    print(f"IMK Wallet (demo) at {base}", file=out)
    print(f"  API documentation  {base}/docs", file=out)
    print(f"  trust registry     {base}/issuers", file=out)
    print(f"  credential types   {base}/types", file=out)
    print(f"\n  Demo learner ({learner.credentials} credentials in the wallet)", file=out)
    print(f"    sign in    {base}/login", file=out)
    print(f"    e-mail     {learner.email}", file=out)
    print(f"    password   {learner.password}", file=out)
    if services.settings.mail_dir is not None:
        print(f"    mail       written to {services.settings.mail_dir}/ (no mail server)", file=out)
    for login in logins:
        print(f"\n  {login.name} ({login.slug})", file=out)
        print(f"    DID        {login.did}  ({base}/issuers/{login.slug}/did.json)", file=out)
        print(f"    API token  {login.token}", file=out)
    if logins:
        request = _write_demo_request(services, logins[0].slug)
        print(
            "\n  Issue and verify a diploma:\n"
            f"    curl -H 'Authorization: Bearer {logins[0].token}' "
            f"-H 'Content-Type: application/json' -d @{request} {base}/credentials/issue\n"
            f"    IMK_DEMO=1 .venv/bin/imk issue --issuer {logins[0].slug} --type diploma "
            f"--subject {request.with_name('diploma-subject.json')} "
            "| IMK_DEMO=1 .venv/bin/imk verify -",
            file=out,
        )


def _write_demo_request(services: Services, slug: str) -> Path:
    """Write a ready-to-send diploma request and subject under ``IMK_DATA_DIR/demo``."""
    ctype = services.types.get("diploma")
    issuer = services.registry.by_slug(slug)
    folder = services.settings.data_dir / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    subject = folder / "diploma-subject.json"
    subject.write_text(json.dumps(ctype.example, ensure_ascii=False, indent=2), encoding="utf-8")
    request = folder / "diploma-request.json"
    body = {"credential": build_credential(ctype, ctype.example, issuer_did=issuer.did)}
    request.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
    return request


def cmd_demo(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    with _services(settings) as services:
        _print_demo(demo.seed(services), demo.seed_learner(services), services, out)
        return 0


def cmd_issuer_add(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    source = _read_json(args.from_file, sys.stdin) if args.from_file else None
    with _services(settings) as services:
        try:
            pem = Path(args.import_key).read_bytes() if args.import_key else None
        except OSError as exc:
            raise InputError(f"cannot read {args.import_key}") from exc
        now = services.now()
        path = scaffold_entry(settings.issuers_dir, args.slug, source=source, now=now)
        services = Services.build(settings, engine=services.engine)
        issuer = services.registry.by_slug(args.slug)
        with services.session() as session:
            if pem is not None:
                key = services.keystore.import_key(session, issuer=issuer, pem=pem, now=now)
            else:
                key = services.keystore.create_key(session, issuer=issuer, alg=args.alg, now=now)
            crud.add_audit(
                session,
                at=now,
                actor="cli",
                action="issuer.add",
                target=args.slug,
                detail={"kid": key.kid},
            )
            session.commit()
        print(f"registry entry  {path}", file=out)
        print(f"DID             {issuer.did}", file=out)
        print(f"signing key     {key.kid} ({key.alg})", file=out)
        print(
            "Review the entry (names, registration number, accreditation) before going live.",
            file=out,
        )
        return 0


def cmd_issuer_token(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    with _services(settings) as services:
        services.registry.by_slug(args.slug)
        now = services.now()
        with services.session() as session:
            if args.revoke:
                access.revoke_token(session, issuer_slug=args.slug, name=args.revoke, now=now)
                session.commit()
                print(f"token {args.revoke!r} of {args.slug} revoked", file=out)
                return 0
            name = args.name or f"token-{now}"
            token = access.create_token(
                session, hash_key=services.token_key, issuer_slug=args.slug, name=name, now=now
            )
            session.commit()
        print(token, file=out)
        print(f"(token {name!r} of {args.slug}; shown once, store it now)", file=sys.stderr)
        return 0


def cmd_keys_rotate(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    with _services(settings) as services:
        issuer = services.registry.by_slug(args.slug)
        with services.session() as session:
            key = services.keystore.rotate(session, issuer=issuer, now=services.now(), alg=args.alg)
            crud.add_audit(
                session,
                at=services.now(),
                actor="cli",
                action="key.rotate",
                target=key.kid,
                detail={},
            )
            session.commit()
        print(f"new current key {key.kid} ({key.alg}); the previous key is retired", file=out)
        return 0


def cmd_keys_compromised(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    with _services(settings) as services:
        services.registry.by_slug(args.slug)
        since = _parse_time(args.since)
        with services.session() as session:
            key = services.keystore.mark_compromised(
                session, issuer_slug=args.slug, kid=args.kid, since=since
            )
            crud.add_audit(
                session, at=services.now(), actor="cli", action="key.compromised", target=args.kid,
                detail={"since": since},
            )  # fmt: skip
            session.commit()
        print(
            f"{key.kid} marked compromised since {args.since}; "
            "nothing it signed after that verifies",
            file=out,
        )
        return 0


def cmd_issue(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    with _services(settings) as services:
        issuer = services.registry.by_slug(args.issuer)
        ctype = services.types.get(args.type)
        subject = _read_json(args.subject, sys.stdin)
        if not isinstance(subject, dict):
            raise InputError("the subject file holds one JSON object")
        learner = None
        if args.learner:
            data = _read_json(args.learner, sys.stdin)
            if not isinstance(data, dict):
                raise InputError("the learner file holds one JSON object")
            learner = Learner(personal_code=data.get("personalCode"), email=data.get("email"))
        request = IssueRequest(
            credential=build_credential(ctype, subject, issuer_did=issuer.did),
            format=args.format,
            credential_id=args.credential_id,
            learner=learner,
        )
        with services.session() as session:
            (issued,) = issue_batch(
                session,
                ctx=services.issuance,
                issuer=issuer,
                requests=[request],
                now=services.now(),
            )
            session.commit()
        json.dump({"verifiableCredential": issued.enveloped}, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0


def cmd_issued(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    with _services(settings) as services:
        services.registry.by_slug(args.slug)
        with services.session() as session:
            rows = crud.list_records(
                session, issuer_slug=args.slug, type_name=args.type, query=args.query,
                limit=args.limit, offset=0,
            )  # fmt: skip
        for row in rows:
            issued = datetime.fromtimestamp(row.created_at, tz=UTC).strftime("%Y-%m-%d %H:%M")
            print(f"{issued}  {row.type_name:<20} {row.id}  {row.title or ''}", file=out)
        return 0


def _verify_input(text: str) -> Any:
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise InputError("the input looks like JSON but does not parse") from exc
        if isinstance(data, dict) and "verifiableCredential" in data:
            return data["verifiableCredential"]
        return data
    return stripped


def cmd_verify(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from wallet.web.api.credentials import report_body

    value = _verify_input(_read_input(args.file, sys.stdin))
    with _services(settings) as services:
        report = verify_credential(value, ctx=services.verification, now=services.now())
        if args.json:
            json.dump(report_body(report), out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            print("VERIFIED" if report.verified else "NOT VERIFIED", file=out)
            for check in report.checks:
                print(f"  {check.result.value:<15} {check.name:<15} {check.reason}", file=out)
        return 0 if report.verified else 1


def cmd_account_add(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    with _services(settings) as services:
        if args.issuer is not None:
            services.registry.by_slug(args.issuer)
        now = services.now()
        with services.session() as session:
            account = accounts.invite(
                session,
                ctx=services.accounts,
                email=args.email,
                role=args.role,
                issuer_slug=args.issuer,
                language=args.language,
                now=now,
                actor="cli",
            )
            session.commit()
        print(f"{account.email}: {account.role} account opened; a link to set the password was "
              "mailed to it", file=out)  # fmt: skip
        return 0


def cmd_revoke(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    action = (
        Action.SUSPEND if args.suspend else Action.UNSUSPEND if args.unsuspend else (Action.REVOKE)
    )
    with _services(settings) as services, services.session() as session:
        record = crud.get_record(session, credential_id=args.credential_id)
        if record is None:
            raise NotFoundError("no such credential")
        change = change_status(
            session, issuer_slug=record.issuer_slug, credential_id=args.credential_id,
            action=action, reason=args.reason, actor=f"cli:{getpass.getuser()}",
            now=services.now(),
        )  # fmt: skip
        session.commit()
    verb = "is now" if change.changed else "was already"
    print(f"{change.credential_id} {verb} {change.status}", file=out)
    return 0


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    upgrade(settings.database_url)
    print("database schema is up to date", file=out)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``imk``."""
    parser = argparse.ArgumentParser(prog="imk", description="IMK Wallet service and tools")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="run the HTTP service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("demo", help="prepare demo keys and tokens and print them")
    p.set_defaults(handler=cmd_demo)

    issuer = sub.add_parser("issuer", help="institutions in the trust registry").add_subparsers(
        dest="issuer_command", required=True
    )
    p = issuer.add_parser("add", help="scaffold a registry entry and create or import its key")
    p.add_argument("slug")
    p.add_argument("--from", dest="from_file", metavar="ENTRY.json")
    p.add_argument("--alg", choices=["EdDSA", "ES256"], default="EdDSA")
    p.add_argument("--import-key", metavar="PEM")
    p.set_defaults(handler=cmd_issuer_add)
    p = issuer.add_parser("token", help="print a new API token once, or revoke one")
    p.add_argument("slug")
    p.add_argument("--name", help="a name for the new token")
    p.add_argument("--revoke", metavar="NAME", help="revoke the token of this name")
    p.set_defaults(handler=cmd_issuer_token)

    keys = sub.add_parser("keys", help="signing keys over time").add_subparsers(
        dest="keys_command", required=True
    )
    p = keys.add_parser("rotate", help="make a new current key; the old one is retired")
    p.add_argument("slug")
    p.add_argument("--alg", choices=["EdDSA", "ES256"])
    p.set_defaults(handler=cmd_keys_rotate)
    p = keys.add_parser("compromised", help="mark a key compromised since a date")
    p.add_argument("slug")
    p.add_argument("kid")
    p.add_argument("--since", required=True, metavar="DATE")
    p.set_defaults(handler=cmd_keys_compromised)

    p = sub.add_parser("issue", help="issue one credential")
    p.add_argument("--issuer", required=True, metavar="SLUG")
    p.add_argument("--type", required=True)
    p.add_argument("--subject", required=True, metavar="FILE")
    p.add_argument("--learner", metavar="FILE")
    p.add_argument("--format", default="vc+jwt", choices=["vc+jwt", "dc+sd-jwt"])
    p.add_argument("--credential-id", metavar="URL")
    p.set_defaults(handler=cmd_issue)

    p = sub.add_parser("issued", help="list what an institution issued")
    p.add_argument("slug")
    p.add_argument("--type")
    p.add_argument("--query")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(handler=cmd_issued)

    p = sub.add_parser("verify", help="verify a credential (exit 0 verified, 1 not, 2 unusable)")
    p.add_argument("file", metavar="FILE|-")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser("revoke", help="revoke (final), suspend or unsuspend a credential")
    p.add_argument("credential_id", metavar="CREDENTIAL_ID")
    change = p.add_mutually_exclusive_group()
    change.add_argument("--suspend", action="store_true", help="suspend instead of revoking")
    change.add_argument("--unsuspend", action="store_true", help="lift a suspension")
    p.add_argument("--reason", required=True, help="why (kept in the audit log)")
    p.set_defaults(handler=cmd_revoke)

    account = sub.add_parser("account", help="staff and operator accounts").add_subparsers(
        dest="account_command", required=True
    )
    p = account.add_parser("add", help="open an account and mail a link to set its password")
    p.add_argument("email")
    p.add_argument("--role", choices=["staff", "operator", "learner"], required=True)
    p.add_argument("--issuer", metavar="SLUG", help="the institution of a staff account")
    p.add_argument("--language", choices=["lv", "en", "ru"], default="lv")
    p.set_defaults(handler=cmd_account_add)

    cli_batches.add_parsers(sub)

    db = sub.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    p = db.add_parser("upgrade", help="apply migrations")
    p.set_defaults(handler=cmd_db_upgrade)
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: dict[str, str] | None = None,
    out: TextIO | None = None,
) -> int:
    """Run ``imk``; returns the exit code."""
    args = build_parser().parse_args(argv)
    out = out if out is not None else sys.stdout
    try:
        settings = load_settings(environ if environ is not None else dict(os.environ))
        if hasattr(args, "services_handler"):
            with _services(settings) as services:
                code: int = args.services_handler(args, services, out)
        else:
            code = args.handler(args, settings, out)
    except (InputError, NotFoundError) as exc:
        print(f"imk: {exc.description}", file=sys.stderr)
        return 2
    except WalletError as exc:
        print(f"imk: {exc.description}", file=sys.stderr)
        for problem in getattr(exc, "problems", ()):
            print(f"  {problem.pointer or '/'}: {problem.message}", file=sys.stderr)
        return 1
    return code
