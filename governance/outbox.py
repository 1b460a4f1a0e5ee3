"""The outbox: e-mails and background work are written in the request's own transaction and
carried out afterwards by a Celery task, so a request never waits on, or fails with, Redis.

enqueue() writes a row; the relay hands due rows to the worker; perform() runs one row's handler
once. A row that is handed out but not finished (a killed worker) is handed out again after
LEASE; a failing row is retried with growing pauses, at most MAX_ATTEMPTS times. A handler that
cannot run on this machine yet raises Postpone: the row waits POSTPONE, says why, and keeps its
attempts.
"""

import logging
from datetime import timedelta
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import OutboxKind, OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
LEASE = timedelta(minutes=5)
POSTPONE = timedelta(minutes=5)
RELAY_BATCH = 200

HANDLERS = {
    OutboxKind.EMAIL: "governance.outbox.send_email",
    OutboxKind.MINUTES_PDF: "meetings.services.publish_minutes_pdf",
    OutboxKind.FIGURE_IMPORT: "operations.services.perform_import",
}


class Postpone(Exception):
    """Raised by a handler that cannot run on this machine until someone acts (installs a
    system package, say): retrying sooner cannot help, and giving up would lose the work."""


def enqueue(kind, key, payload):
    """Promise work in the current transaction; a second promise with the same key is ignored."""
    message, created = OutboxMessage.objects.get_or_create(
        key=key[:300], defaults={"kind": kind, "payload": payload}
    )
    if created:
        _kick_after_commit()
    return message


def _kick_after_commit():
    if not settings.OUTBOX_KICK_ON_COMMIT:
        return
    # One kick per transaction is enough, however many rows it writes.
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        callback is kick_relay for _sids, callback, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(kick_relay)


def enqueue_many(messages):
    """Promise several unsaved OutboxMessage rows at once; keys already promised are skipped."""
    OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
    if messages:
        _kick_after_commit()


def email_message(key, *, to, subject, body, attachments=(), minutes_pdf=None):
    """An unsaved outbox row for an e-mail to one person; attachments are (filename, text, type)."""
    payload = {
        "to": [to],
        "subject": subject,
        "body": body,
        "attachments": [list(attachment) for attachment in attachments],
        "minutes_pdf": minutes_pdf,
    }
    return OutboxMessage(kind=OutboxKind.EMAIL, key=key[:300], payload=payload)


def kick_relay():
    """Ask a worker to relay now; when the broker is down, beat's next relay finds the row."""
    from .celery import app
    from .tasks import relay_outbox

    try:
        with app.connection_for_write() as connection:
            # One try to connect: kombu would otherwise retry for the whole connection timeout
            # on every request while the broker is down.
            connection.ensure_connection(max_retries=0)
            relay_outbox.apply_async(connection=connection, retry=False)
    except Exception:  # any broker failure: the row waits in the outbox
        logger.warning("Broker unavailable; the outbox relay will pick the work up later.")


def relay_due_messages(now=None):
    """Hand every due row to the worker (lease it first, so a lost hand-off is retried)."""
    from .tasks import perform_outbox_message

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
        perform_outbox_message.delay(pk)
    return len(due)


def perform(message_id, now=None):
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
                import_string(HANDLERS[message.kind])(message.payload)
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


def _text_part(filename, text, mimetype):
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


def one_line(text):
    """A header value from text people typed: a line break in a forum's or supplier's name would
    end the header (Django refuses to send such a subject at all)."""
    return " ".join(str(text).split())


def send_email(payload):
    """Outbox handler: send one e-mail, with the stored minutes PDF when the payload names one."""
    message = EmailMessage(
        subject=one_line(payload["subject"]),
        body=payload["body"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=payload["to"],
    )
    for filename, text, mimetype in payload.get("attachments", []):
        message.attach(_text_part(filename, text, mimetype))
    if payload.get("minutes_pdf"):
        from meetings.models import MinutesPdf

        pdf = MinutesPdf.objects.get(pk=payload["minutes_pdf"])
        message.attach(pdf.filename, bytes(pdf.content), "application/pdf")
    message.send()
