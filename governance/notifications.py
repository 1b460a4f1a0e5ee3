"""Which e-mails each person gets, and when: a registry of the kinds of e-mail and the filter
the outbox applies to every e-mail it is given (governance.outbox.enqueue_many).

A kind of e-mail is the text of its outbox key before the first ':' ("action-reminder"). The
apps register their kinds when Django starts (register_kind, from an AppConfig.ready()), each
with a label, whether a person may switch it off and whether it may wait for the weekly
digest. A person's choice per kind is a NotificationSetting row; without one, it comes at
once. An e-mail of a kind nobody registered always goes.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import (
    Delivery,
    HeldEmail,
    NotificationSetting,
    OutboxKind,
    OutboxMessage,
    User,
    normalise_email,
)

# The weekly digest itself: its kind may be switched off, never held for itself.
DIGEST = "digest"


@dataclass(frozen=True)
class EmailKind:
    prefix: str
    label: str | Promise
    may_switch_off: bool
    may_wait_for_digest: bool

    def deliveries(self) -> list[tuple[str, str]]:
        """The choices a person has for this kind, in the order the settings page shows."""
        choices = [(Delivery.AT_ONCE.value, str(Delivery.AT_ONCE.label))]
        if self.may_wait_for_digest:
            choices.append((Delivery.DIGEST.value, str(Delivery.DIGEST.label)))
        if self.may_switch_off:
            choices.append((Delivery.OFF.value, str(Delivery.OFF.label)))
        return choices


_kinds: dict[str, EmailKind] = {}


def register_kind(
    prefix: str,
    label: str | Promise,
    *,
    may_switch_off: bool,
    may_wait_for_digest: bool,
) -> None:
    """Name a kind of e-mail by its outbox key prefix (from an AppConfig.ready())."""
    _kinds[prefix] = EmailKind(prefix, label, may_switch_off, may_wait_for_digest)


def kinds() -> list[EmailKind]:
    """The registered kinds that a person has a choice about, in the order registered."""
    return [kind for kind in _kinds.values() if kind.may_switch_off or kind.may_wait_for_digest]


def label_of(prefix: str) -> str:
    """What a person reads for a kind of e-mail (its prefix when nothing registered it)."""
    kind = _kinds.get(prefix)
    return str(kind.label) if kind else prefix


def kind_of(key: str) -> str:
    """An outbox key's kind: its text before the first ':'."""
    return key.partition(":")[0]


def settings_of(user: User) -> dict[str, str]:
    """The person's delivery per kind they have a choice about (at once where unset)."""
    chosen = dict(user.notification_settings.values_list("kind", "delivery"))
    return {kind.prefix: _delivery(kind, chosen.get(kind.prefix)) for kind in kinds()}


def save_settings(*, user: User, deliveries: dict[str, str]) -> None:
    """Record the person's choice for each kind (checked against what the kind allows)."""
    for prefix, delivery in deliveries.items():
        kind = _kinds[prefix]
        if delivery not in dict(kind.deliveries()):
            raise ValueError(f"{prefix} cannot be {delivery}")
        NotificationSetting.objects.update_or_create(
            user=user, kind=prefix, defaults={"delivery": delivery}
        )


def _delivery(kind: EmailKind | None, chosen: str | None) -> str:
    """The choice as far as the kind allows it (a kind registered differently since, say)."""
    if kind is None or chosen is None:
        return Delivery.AT_ONCE.value
    if chosen == Delivery.OFF and kind.may_switch_off:
        return Delivery.OFF.value
    if chosen == Delivery.DIGEST and kind.may_wait_for_digest:
        return Delivery.DIGEST.value
    return Delivery.AT_ONCE.value


def route(messages: Sequence[OutboxMessage]) -> list[OutboxMessage]:
    """The messages to send now. E-mails of a kind the recipient switched off are dropped;
    those they want in the digest are kept as HeldEmail rows for it (a key already held is
    neither held again nor sent)."""
    # Only e-mails of a kind a person has a choice about (not the thousands of calendar
    # e-mails of a reconcile) cost a look-up.
    choosable = {kind.prefix for kind in kinds()}
    emails = {
        id(message): message
        for message in messages
        if message.kind == OutboxKind.EMAIL
        and kind_of(message.key) in choosable
        and len(message.payload["to"]) == 1
    }
    if not emails:
        return list(messages)
    addresses = {normalise_email(m.payload["to"][0]) for m in emails.values()}
    people = {user.email: user for user in User.objects.filter(email__in=addresses)}
    chosen = {
        (setting.user_id, setting.kind): setting.delivery
        for setting in NotificationSetting.objects.filter(user__in=people.values())
    }
    already_held = set(
        HeldEmail.objects.filter(key__in=[m.key for m in emails.values()]).values_list(
            "key", flat=True
        )
    )
    held = []
    send = []
    for message in messages:
        if id(message) not in emails:
            send.append(message)
            continue
        if message.key in already_held:
            continue
        person = people.get(normalise_email(message.payload["to"][0]))
        prefix = kind_of(message.key)
        delivery = _delivery(
            _kinds.get(prefix), chosen.get((person.pk, prefix)) if person else None
        )
        if delivery == Delivery.AT_ONCE:
            send.append(message)
        elif delivery == Delivery.DIGEST and person is not None:
            held.append(
                HeldEmail(
                    user=person,
                    key=message.key,
                    kind=prefix,
                    subject=message.payload["subject"][:300],
                    body=message.payload["body"],
                )
            )
    HeldEmail.objects.bulk_create(held, ignore_conflicts=True)
    return send


register_kind(
    "password-reset", _("Password reset links"), may_switch_off=False, may_wait_for_digest=False
)
register_kind(DIGEST, _("The weekly digest"), may_switch_off=True, may_wait_for_digest=False)
