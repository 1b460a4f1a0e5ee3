"""The outbox: e-mails and background work are written in the request's own transaction and
carried out afterwards by a Celery task, so a request never waits on, or fails with, Redis.

enqueue() writes a row; the relay hands due rows to the worker; perform() runs one row's handler
once. A row that is handed out but not finished (a killed worker) is handed out again after
LEASE; a failing row is retried with growing pauses, at most MAX_ATTEMPTS times.

The apps above register what carries out their kinds of work (register_handler) and the files
their e-mails attach (register_attachment) when Django starts, so this floor imports none of them.
A handler that cannot run on this machine yet raises Postpone: the row waits POSTPONE, says
why, and keeps its attempts.
"""

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from email.mime.text import MIMEText
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from . import notifications
from .celery import app
from .models import OutboxKind, OutboxMessage, User, normalise_email

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
LEASE = timedelta(minutes=5)
POSTPONE = timedelta(minutes=5)
RELAY_BATCH = 200
# The Celery tasks in governance/tasks.py, sent by name (tasks.py imports this module).
RELAY_TASK = "governance.tasks.relay_outbox"
PERFORM_TASK = "governance.tasks.perform_outbox_message"

Payload = dict[str, Any]
Handler = Callable[[Payload], object]
# An attachment's loader takes the id an e-mail's payload names and returns
# (file name, content, MIME type).
AttachmentLoader = Callable[[int], tuple[str, bytes, str]]

_handlers: dict[str, Handler] = {}
_attachment_loaders: dict[str, AttachmentLoader] = {}


def register_handler(kind: str, handler: Handler) -> None:
    """Name the function that carries out one kind of outbox row (from an AppConfig.ready())."""
    _handlers[kind] = handler


def register_attachment(name: str, loader: AttachmentLoader) -> None:
    """Let e-mails name a stored file by id under `name` in their payload (e.g. minutes_pdf)."""
    _attachment_loaders[name] = loader


class Postpone(Exception):
    """Raised by a handler that cannot run on this machine until someone acts (installs a
    system package, say): retrying sooner cannot help, and giving up would lose the work."""


def enqueue(kind: str, key: str, payload: Payload) -> OutboxMessage:
    """Promise work in the current transaction; a second promise with the same key is ignored."""
    message, created = OutboxMessage.objects.get_or_create(
        key=key[:300], defaults={"kind": kind, "payload": payload}
    )
    if created:
        _kick_after_commit()
    return message


def _kick_after_commit() -> None:
    if not settings.OUTBOX_KICK_ON_COMMIT:
        return
    # One kick per transaction is enough, however many rows it writes.
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        callback is kick_relay for _sids, callback, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(kick_relay)


def enqueue_many(messages: Sequence[OutboxMessage]) -> None:
    """Promise several unsaved OutboxMessage rows at once; keys already promised are skipped.
    Each e-mail goes as its recipient chose for its kind (governance.notifications): at once,
    held for their weekly digest, or not at all."""
    messages = notifications.route(messages)
    OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
    if messages:
        _kick_after_commit()


def email_message(
    key: str,
    *,
    to: str,
    subject: str,
    body: str,
    attachments: Iterable[tuple[str, str, str]] = (),
    **stored: int,
) -> OutboxMessage:
    """An unsaved outbox row for an e-mail to one person; attachments are (filename, text,
    type), and each keyword names a stored file by its registered loader and id
    (minutes_pdf=12)."""
    payload: Payload = {
        "to": [to],
        "subject": subject,
        "body": body,
        "attachments": [list(attachment) for attachment in attachments],
        **stored,
    }
    return OutboxMessage(kind=OutboxKind.EMAIL, key=key[:300], payload=payload)


def kick_relay() -> None:
    """Ask a worker to relay now; when the broker is down, beat's next relay finds the row."""
    try:
        with app.connection_for_write() as connection:
            # One try to connect: kombu would otherwise retry for the whole connection timeout
            # on every request while the broker is down.
            connection.ensure_connection(max_retries=0)
            app.send_task(RELAY_TASK, connection=connection, retry=False)
    except Exception:  # any broker failure: the row waits in the outbox
        logger.warning("Broker unavailable; the outbox relay will pick the work up later.")


def relay_due_messages(now: datetime | None = None) -> int:
    """Hand every due row to the worker (lease it first, so a lost hand-off is retried)."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(done_at=None, failed_at=None, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:RELAY_BATCH]
        )
        OutboxMessage.objects.filter(pk__in=due).update(next_attempt_at=now + LEASE)
    for pk in due:
        app.send_task(PERFORM_TASK, args=[pk])
    return len(due)


def perform(message_id: int, now: datetime | None = None) -> bool:
    """Carry out one row once. Returns True when it is done (now or earlier)."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, failed_at=None)
            .first()
        )
        if message is None:
            return False  # failed for good, deleted, or another worker is on it
        if message.done_at:
            return True
        message.attempts += 1
        try:
            with transaction.atomic():
                _handlers[message.kind](message.payload)
        except Postpone as reason:
            logger.warning("Outbox message %s postponed: %s", message.key, reason)
            message.attempts -= 1
            message.last_error = str(reason)[:2000]
            message.next_attempt_at = (now or timezone.now()) + POSTPONE
            message.save()
            return False
        except Exception as error:  # recorded on the row and retried
            logger.exception("Outbox message %s failed (attempt %s)", message.key, message.attempts)
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            now = now or timezone.now()
            if message.attempts >= MAX_ATTEMPTS:
                message.failed_at = now
            else:
                message.next_attempt_at = now + timedelta(minutes=2**message.attempts)
            message.save()
            return False
        message.done_at = now or timezone.now()
        message.last_error = ""
        message.save()
        return True


def _text_part(filename: str, text: str, mimetype: str) -> MIMEText:
    # A calendar invitation needs its METHOD in the MIME type for mail clients to offer
    # "accept"; Django's attach() would take the parameter for part of the subtype.
    _maintype, _slash, rest = mimetype.partition("/")
    subtype, *params = [part.strip() for part in rest.split(";")]
    part = MIMEText(text, subtype, "utf-8")
    for param in params:
        name, _equals, value = param.partition("=")
        part.set_param(name, value)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def one_line(text: object) -> str:
    """A header value from text people typed: a line break in a forum's or supplier's name would
    end the header (Django refuses to send such a subject at all)."""
    return " ".join(str(text).split())


def send_email(payload: Payload) -> None:
    """Outbox handler: send one e-mail, with the stored files its payload names; not to a
    person whose account was deactivated (they left), whenever it was queued."""
    recipients = list(payload["to"])
    departed = set(
        User.objects.filter(
            email__in=[normalise_email(address) for address in recipients], is_active=False
        ).values_list("email", flat=True)
    )
    recipients = [address for address in recipients if normalise_email(address) not in departed]
    if not recipients:
        return
    message = EmailMessage(
        subject=one_line(payload["subject"]),
        body=payload["body"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    for filename, text, mimetype in payload.get("attachments", []):
        message.attach(_text_part(filename, text, mimetype))
    for name, load in _attachment_loaders.items():
        if payload.get(name):
            message.attach(*load(payload[name]))
    message.send()


register_handler(OutboxKind.EMAIL, send_email)
