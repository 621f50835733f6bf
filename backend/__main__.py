"""Operator commands: `python -m backend <command>`."""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlmodel import select

from backend import demo, wiring
from backend.core.db import session_scope
from backend.core.secrets import SecretsUnavailable
from backend.domain.errors import DomainError
from backend.models import Tenant
from backend.services import migrations
from backend.services.calendar_sync import connections as google_connections
from backend.services.clinics import auth, clinic_setup, twilio_accounts


def _tenant(session, slug: str) -> Tenant:  # type: ignore[no-untyped-def]
    tenant = session.exec(select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is None:
        raise SystemExit(f"no clinic with slug '{slug}'")
    return tenant


def cmd_migrate(_: argparse.Namespace) -> None:
    migrations.upgrade()
    print("database is up to date")


def cmd_seed_demo(args: argparse.Namespace) -> None:
    login = f"log in as {demo.STAFF[0][0]} / {demo.DEMO_PASSWORD}"
    with session_scope(write=True) as session:
        if demo.demo_exists(session):
            print(f"demo clinic '{demo.DEMO_SLUG}' already present; {login}")
            return
        if args.if_empty and demo.any_tenant(session):
            print("the database has clinics of its own; no demo clinic added")
            return
        tenant = demo.seed_demo(session)
    print(f"demo clinic '{tenant.slug}' created; {login}")


def cmd_create_clinic(args: argparse.Namespace) -> None:
    with session_scope(write=True) as session:
        tenant = clinic_setup.create_clinic(
            session,
            slug=args.slug,
            name=args.name,
            timezone=args.timezone,
            country=args.country,
            whatsapp_numbers=args.whatsapp_number,
            phone=args.phone,
            address=args.address,
        )
    print(f"clinic '{tenant.slug}' created: {tenant.id}")


def cmd_add_doctor(args: argparse.Namespace) -> None:
    password = args.password or getpass.getpass("password: ")
    with session_scope(write=True) as session:
        doctor = clinic_setup.add_doctor(
            session,
            tenant=_tenant(session, args.tenant),
            email=args.email,
            full_name=args.name,
            password=password,
            speciality=args.speciality,
            active_for_ai_booking=args.ai_booking,
        )
    print(f"doctor {doctor.email} created with the default schedule: {doctor.id}")


def cmd_create_user(args: argparse.Namespace) -> None:
    password = args.password or getpass.getpass("password: ")
    with session_scope(write=True) as session:
        user = auth.create_user(
            session,
            tenant=_tenant(session, args.tenant),
            email=args.email,
            password=password,
            full_name=args.name,
            role=args.role,
            speciality=args.speciality,
            active_for_ai_booking=args.ai_booking,
        )
    print(f"user {user.email} ({user.role}) created")


def cmd_create_api_key(args: argparse.Namespace) -> None:
    with session_scope(write=True) as session:
        new = auth.create_api_key(
            session, tenant_id=_tenant(session, args.tenant).id, name=args.name
        )
    print(new.secret)
    print(
        f"(key '{args.name}' for '{args.tenant}': store it now, it is not shown again)",
        file=sys.stderr,
    )


def cmd_set_twilio_account(args: argparse.Namespace) -> None:
    token = args.auth_token or getpass.getpass("Twilio auth token: ")
    try:
        twilio_accounts.set_account(
            slug=args.tenant, account_sid=args.account_sid, auth_token=token
        )
    except SecretsUnavailable as exc:
        raise SystemExit(f"error: {exc}") from None
    print(
        f"'{args.tenant}' now sends and validates webhooks with Twilio account {args.account_sid}"
    )


def cmd_connect_google(args: argparse.Namespace) -> None:
    token = args.refresh_token or getpass.getpass("Google refresh token: ")
    try:
        google_connections.connect(
            slug=args.tenant, refresh_token=token, account_email=args.account_email
        )
    except SecretsUnavailable as exc:
        raise SystemExit(f"error: {exc}") from None
    print(f"'{args.tenant}' is connected to Google Calendar; now set each doctor's calendar")


def cmd_set_doctor_calendar(args: argparse.Namespace) -> None:
    google_connections.set_doctor_calendar(
        slug=args.tenant, doctor_email=args.doctor, calendar_id=args.calendar
    )
    print(f"{args.doctor}'s appointments go to Google calendar '{args.calendar}'")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m backend", description="VetAssist operator commands"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    seed = sub.add_parser("seed-demo", help="create the demo clinic (slug 'demo')")
    seed.add_argument(
        "--if-empty", action="store_true", help="only when the database has no clinic"
    )
    seed.set_defaults(func=cmd_seed_demo)
    clinic = sub.add_parser("create-clinic", help="create a clinic and print its slug and id")
    clinic.add_argument("--slug", required=True, help="url-safe, e.g. patitas-bogota")
    clinic.add_argument("--name", required=True)
    clinic.add_argument("--timezone", required=True, help="IANA zone, e.g. America/Bogota")
    clinic.add_argument(
        "--country", required=True, help=", ".join(clinic_setup.SUPPORTED_COUNTRIES)
    )
    clinic.add_argument(
        "--whatsapp-number",
        required=True,
        action="append",
        help="E.164, e.g. +573001234567; repeat for more",
    )
    clinic.add_argument("--phone")
    clinic.add_argument("--address")
    clinic.set_defaults(func=cmd_create_clinic)
    doctor = sub.add_parser("add-doctor", help="create a doctor with a bookable schedule")
    doctor.add_argument("--tenant", required=True, help="clinic slug")
    doctor.add_argument("--email", required=True)
    doctor.add_argument("--name", required=True)
    doctor.add_argument("--speciality")
    doctor.add_argument(
        "--ai-booking", action="store_true", help="the assistant may book this doctor"
    )
    doctor.add_argument("--password", help="prompted when omitted")
    doctor.set_defaults(func=cmd_add_doctor)
    user = sub.add_parser("create-user", help="create a portal user")
    user.add_argument("--tenant", required=True, help="clinic slug")
    user.add_argument("--email", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--role", required=True, choices=auth.ROLES)
    user.add_argument("--password", help="prompted when omitted")
    user.add_argument("--speciality")
    user.add_argument(
        "--ai-booking", action="store_true", help="the assistant may book this doctor"
    )
    user.set_defaults(func=cmd_create_user)
    key = sub.add_parser("create-api-key", help="create an API key and print it once")
    key.add_argument("--tenant", required=True, help="clinic slug")
    key.add_argument("--name", default="integración")
    key.set_defaults(func=cmd_create_api_key)
    account = sub.add_parser(
        "set-twilio-account",
        help="give a clinic its own Twilio (sub)account; the token is stored encrypted",
    )
    account.add_argument("--tenant", required=True, help="clinic slug")
    account.add_argument("--account-sid", required=True, help="AC…")
    account.add_argument("--auth-token", help="prompted when omitted")
    account.set_defaults(func=cmd_set_twilio_account)
    google = sub.add_parser(
        "connect-google",
        help="connect a clinic to Google Calendar with a refresh token (stored encrypted)",
    )
    google.add_argument("--tenant", required=True, help="clinic slug")
    google.add_argument("--account-email", help="the Google account, for display")
    google.add_argument("--refresh-token", help="prompted when omitted")
    google.set_defaults(func=cmd_connect_google)
    calendar = sub.add_parser(
        "set-doctor-calendar", help="choose the Google calendar a doctor's appointments go to"
    )
    calendar.add_argument("--tenant", required=True, help="clinic slug")
    calendar.add_argument("--doctor", required=True, help="the doctor's e-mail")
    calendar.add_argument(
        "--calendar", required=True, help="calendar id, e.g. primary or an e-mail"
    )
    calendar.set_defaults(func=cmd_set_doctor_calendar)
    args = parser.parse_args(argv)
    wiring.install(relay_outbox_after_commit=False)
    try:
        args.func(args)
    except DomainError as exc:
        raise SystemExit(f"error: {exc.message}") from None


if __name__ == "__main__":
    main()
