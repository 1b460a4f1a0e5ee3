import functools
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class VisibleToQuerySet(models.QuerySet):
    """The one place that decides which rows a person may see.

    `supplier_path` names the lookup from the model to its supplier; a supplier contact sees
    only rows of their own supplier (supplier_rows, which a model reached another way
    overrides), the city's people see all, anyone else nothing.
    """

    supplier_path = "supplier"

    def visible_to(self, user: "User | AnonymousUser") -> Self:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_portfolio:
            return self
        return self.supplier_rows(user)

    def supplier_rows(self, user: "User") -> Self:
        return self.filter(**{self.supplier_path: user.supplier_id})


class Role(models.TextChoices):
    PROCUREMENT = "procurement", _("Procurement staff")
    DIRECTOR = "director", _("IT director")
    SUPPLIER_CONTACT = "supplier", _("Supplier contact")
    ADMINISTRATOR = "admin", _("Administrator")


# The roles of the city's own staff (a supplier's contact is the other kind of account).
CITY_ROLES = (Role.PROCUREMENT, Role.DIRECTOR, Role.ADMINISTRATOR)


# How much one field takes of what a person writes: a comment, a reason or a description up
# to about two pages, meeting notes and a contract's scope about eight. Longer is refused with
# its length, the text kept in the form (and every e-mail and page that shows it stays small).
TEXT_MAX_LENGTH = 4_000
NOTES_MAX_LENGTH = 20_000


def normalise_email(address: str) -> str:
    """The one form an e-mail address is kept and looked up in: trimmed, Unicode NFC, lower
    case. Lookups are exact: a case-blind match would take an address with a dotless i for
    the one with an i, as PostgreSQL's UPPER() makes both an I."""
    return unicodedata.normalize("NFC", address.strip()).lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalise_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        extra_fields.update(is_staff=True, is_superuser=True, role=Role.ADMINISTRATOR)
        return self.create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email=normalise_email(username or ""))


class User(AbstractUser):
    """A person who signs in with an e-mail address; the role decides what they may see and do."""

    username = None  # type: ignore[assignment]  # people sign in with their e-mail
    email = models.EmailField(_("e-mail address"), unique=True)
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.PROCUREMENT)
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Only for supplier contacts: the one supplier whose records they see."),
    )
    # The language the portal speaks to this person: pages once signed in, and every e-mail
    # and calendar file sent to them (governance.languages).
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="sv"
    )
    # Set when the person's data was erased on their request (portal.erasure): the account
    # stays, so what they wrote keeps an author, shown by a pseudonym.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()  # type: ignore[assignment, misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # A supplier contact is bound to exactly one supplier; nobody else is bound to one.
            models.CheckConstraint(
                condition=Q(role="supplier", supplier__isnull=False)
                | (~Q(role="supplier") & Q(supplier__isnull=True)),
                name="user_supplier_only_for_supplier_contacts",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        if self.erased_at is not None:
            return str(erased_name(self))
        return super().get_full_name()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    @property
    def is_supplier_contact(self) -> bool:
        return self.role == Role.SUPPLIER_CONTACT

    @property
    def can_manage(self) -> bool:
        """Procurement staff and administrators keep the register; others only read it."""
        return self.is_active and (
            self.role in (Role.PROCUREMENT, Role.ADMINISTRATOR) or self.is_superuser
        )

    @property
    def is_administrator(self) -> bool:
        """An administrator: only another one may deactivate, reset, re-role or erase them."""
        return self.is_superuser or self.role == Role.ADMINISTRATOR

    @property
    def sees_portfolio(self) -> bool:
        """Everyone on the city's side sees every supplier; a supplier contact sees one."""
        return self.is_active and not self.is_supplier_contact

    @property
    def may_contribute(self) -> bool:
        """Raises issues and reports figures: procurement staff for any supplier, a supplier's
        contacts for their own. The IT director reads."""
        return self.can_manage or (self.is_active and self.is_supplier_contact)

    def may_report_for(self, supplier_id: int | None) -> bool:
        """Reports (and imports) a supplier's figures: its own contacts, or procurement staff."""
        return self.can_manage or (
            self.is_active and self.is_supplier_contact and self.supplier_id == supplier_id
        )


def erased_name(user: User) -> str:
    """What an erased person is shown as, in the reader's language: their organisation, not who."""
    if user.is_supplier_contact and user.supplier is not None:
        return _("Former contact, %(supplier)s") % {"supplier": user.supplier.name}
    return str(_("Former employee"))


def erased_email(user: User) -> str:
    """A unique address that no mail server accepts (the .invalid domain, RFC 2606)."""
    return f"former-{user.pk}@erased.invalid"


class Level(models.TextChoices):
    BUSINESS = "business", _("Business level")
    CONTRACT = "contract", _("Contract level")
    OPERATIONAL = "operational", _("Operational level")


LEVEL_ORDER = [Level.BUSINESS, Level.CONTRACT, Level.OPERATIONAL]

DEFAULT_MANDATES = {
    Level.BUSINESS: _(
        "Holds the authority to start and end the relationship between the city and the "
        "supplier. Decides on the relationship itself."
    ),
    Level.CONTRACT: _(
        "Commercial conditions and questions of principle. Receives what escalates from the "
        "operational level. Meets quarterly in the key-supplier meeting."
    ),
    Level.OPERATIONAL: _(
        "The concrete delivery and technical questions: the city's needs against the actual "
        "delivery. Meets weekly: availability against target, support tickets, questions to "
        "support, open actions and escalations."
    ),
}


@functools.cache
def standard_mandates(level: str) -> frozenset[str]:
    """A level's standard mandate in every language of the portal."""
    texts = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            texts.add(str(DEFAULT_MANDATES[Level(level)]))
    return frozenset(texts)


# The longest response time a level can be given: a year.
RESPONSE_DAYS_MAX = 365


def default_response_days(level: str) -> int:
    """The city-wide response time of a level (settings.ISSUE_RESPONSE_DAYS), in days."""
    return int(settings.ISSUE_RESPONSE_DAYS[str(level)])


class Side(models.TextChoices):
    BUYER = "buyer", _("City")
    SUPPLIER = "supplier", _("Supplier")


class GovernanceLevelQuerySet(VisibleToQuerySet):
    supplier_path = "contract__supplier"


class GovernanceLevel(models.Model):
    """One of a contract's three governance levels, with its written mandate."""

    contract = models.ForeignKey(
        "suppliers.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="governance_levels",
    )
    level = models.CharField(_("level"), max_length=20, choices=Level)
    mandate = models.TextField(_("mandate"), blank=True, max_length=TEXT_MAX_LENGTH)
    response_days = models.PositiveSmallIntegerField(
        _("response time (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(RESPONSE_DAYS_MAX)],
        help_text=_(
            "How many days an issue may stay open at this level before it is flagged as late "
            "and the level above is told. Empty: the city's default for the level."
        ),
    )
    history = HistoricalRecords()

    objects = GovernanceLevelQuerySet.as_manager()

    class Meta:
        verbose_name = _("governance level")
        verbose_name_plural = _("governance levels")
        constraints = [
            models.UniqueConstraint(fields=["contract", "level"], name="one_level_of_each_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference}: {self.get_level_display()}"

    @property
    def rank(self) -> int:
        return LEVEL_ORDER.index(Level(self.level))

    @property
    def response_time(self) -> int:
        """The days an issue has at this level: the contract's own, or the city's default."""
        return self.response_days or default_response_days(self.level)

    @property
    def mandate_text(self) -> str:
        """The mandate as written, or the standard one (DEFAULT_MANDATES) in the reader's
        language when the level still has it as it was given, in either language."""
        standard = DEFAULT_MANDATES.get(Level(self.level))
        if standard is not None and self.mandate.strip() in standard_mandates(self.level):
            return str(standard)
        return self.mandate


class RoleHolderQuerySet(VisibleToQuerySet):
    supplier_path = "governance_level__contract__supplier"

    def people_at(
        self, level: str, contracts: Iterable[Any] | models.QuerySet
    ) -> "RoleHolderQuerySet":
        """The role holders at one level of the given contracts, on both sides."""
        return self.filter(governance_level__level=level, governance_level__contract__in=contracts)


class RoleHolder(models.Model):
    """A person who holds a role at one governance level: one of the city's staff (`user`) on
    the city's side, one of the supplier's contacts (`contact`) on the supplier's. `name` and
    `email` are theirs, kept in step with the person (governance.services.keep_holders_in_step);
    a person who leaves leaves their roles (deactivated, removed or erased). Rows from before
    people were linked keep the name and address they were typed with until named again."""

    governance_level = models.ForeignKey(
        GovernanceLevel,
        verbose_name=_("governance level"),
        on_delete=models.CASCADE,
        related_name="role_holders",
    )
    side = models.CharField(_("side"), max_length=10, choices=Side)
    role_title = models.CharField(_("role"), max_length=120)
    user = models.ForeignKey(
        User,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_holders",
        help_text=_("On the city's side: the member of staff."),
    )
    contact = models.ForeignKey(
        "suppliers.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_holders",
        help_text=_("On the supplier's side: the supplier's contact."),
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    history = HistoricalRecords()

    objects = RoleHolderQuerySet.as_manager()

    class Meta:
        verbose_name = _("role holder")
        verbose_name_plural = _("role holders")
        ordering = ["governance_level", "side", "role_title", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["governance_level", "side", "role_title", "email"],
                name="one_person_per_role",
            ),
            # The city's side names one of its staff, the supplier's side one of its contacts.
            models.CheckConstraint(
                condition=Q(side="buyer", contact__isnull=True)
                | Q(side="supplier", user__isnull=True),
                name="role_holder_person_of_its_side",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role_title}: {self.name}"

    @property
    def is_linked(self) -> bool:
        """Whether the holder is a person the portal knows (not a name typed before)."""
        return self.user_id is not None or self.contact_id is not None

    @property
    def account(self) -> "User | None":
        """The account the holder signs in with, if they have an active one."""
        if self.user is not None:
            return self.user if self.user.is_active else None
        if self.contact is not None:
            user = self.contact.user
            return user if user is not None and user.is_active else None
        return None

    def is_held_by(self, user: "User | AnonymousUser") -> bool:
        account = self.account
        return account is not None and user.is_authenticated and account.pk == user.pk


def person_name(user: User) -> str:
    """How a member of staff is named as a role holder."""
    return user.get_full_name() or user.email


class SignOffRound(models.Model):
    """One asking of both sides' business level to sign off a contract's governance model (its
    roles and mandates). A change after a sign-off closes the round (both sign-offs void) and
    opens the next (governance.services.reopen_sign_off). Rounds and sign-offs are never
    edited but to close a round, and say who and when in their own fields (no history)."""

    contract = models.ForeignKey(
        "suppliers.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="sign_off_rounds",
    )
    opened_at = models.DateTimeField(_("asked"), default=timezone.now)
    opened_by = models.ForeignKey(
        User,
        verbose_name=_("asked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reopened_by_change = models.BooleanField(_("reopened by a change"), default=False)
    closed_at = models.DateTimeField(_("void since"), null=True, blank=True)
    closed_by = models.ForeignKey(
        User,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    change = models.CharField(_("what changed"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("sign-off round")
        verbose_name_plural = _("sign-off rounds")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(closed_at__isnull=True),
                name="one_open_sign_off_round",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.opened_at:%Y-%m-%d}"

    def signature(self, side: str) -> "SignOff | None":
        return next((item for item in self.signatures.all() if item.side == side), None)

    @property
    def is_complete(self) -> bool:
        return self.closed_at is None and {s.side for s in self.signatures.all()} == set(Side)


class SignOff(models.Model):
    """One side's business-level role holder confirmed the governance model: who and when."""

    round = models.ForeignKey(
        SignOffRound,
        verbose_name=_("sign-off round"),
        on_delete=models.CASCADE,
        related_name="signatures",
    )
    side = models.CharField(_("side"), max_length=10, choices=Side)
    signed_at = models.DateTimeField(_("signed off"), default=timezone.now)
    user = models.ForeignKey(
        User,
        verbose_name=_("signed in as"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    contact = models.ForeignKey(
        "suppliers.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"))
    role_title = models.CharField(_("role"), max_length=120)
    by_link = models.BooleanField(_("through an e-mailed link"), default=False)

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["round", "side"], name="one_sign_off_per_side"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.signed_at:%Y-%m-%d}"


class SignOffLink(models.Model):
    """A single-use, expiring link e-mailed to a business-level holder without an account;
    only the token's hash is kept (as suppliers.Invitation)."""

    round = models.ForeignKey(
        SignOffRound,
        verbose_name=_("sign-off round"),
        on_delete=models.CASCADE,
        related_name="links",
    )
    holder = models.ForeignKey(
        RoleHolder,
        verbose_name=_("role holder"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    side = models.CharField(_("side"), max_length=10, choices=Side)
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"))
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    sent_by = models.ForeignKey(
        User,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("replaced at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-off link")
        verbose_name_plural = _("sign-off links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.created_at:%Y-%m-%d})"


class OutboxKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    MINUTES_PDF = "minutes_pdf", _("Minutes PDF")
    FIGURE_IMPORT = "figure_import", _("Figure import")
    EXPORT = "export", _("Export")


class OutboxMessage(models.Model):
    """Work promised inside a transaction and carried out after it by the relay (an outbox).

    A request writes the row together with its own changes, so nothing waits on Redis or the
    mail server and nothing is lost when they are down. The unique key makes a repeat harmless.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=OutboxKind)
    key = models.CharField(_("key"), max_length=300, unique=True)
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(done_at__isnull=True, failed_at__isnull=True),
                name="outbox_due",
            ),
        ]

    def __str__(self) -> str:
        return self.key


class AccessEventKind(models.TextChoices):
    SIGNED_IN = "signed_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGNED_OUT = "signed_out", _("Signed out")
    RESET_ASKED = "reset_asked", _("Password reset asked for")
    PASSWORD_RESET = "password_reset", _("Password reset")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    DEACTIVATED = "deactivated", _("Account deactivated")
    REACTIVATED = "reactivated", _("Account reactivated")
    ROLE_CHANGED = "role_changed", _("Role changed")
    REINVITED = "reinvited", _("Invited again")
    ERASED = "erased", _("Personal data erased")
    MFA_ENABLED = "mfa_enabled", _("Two-factor sign-in set up")
    MFA_FAILED = "mfa_failed", _("Wrong two-factor code")
    MFA_RECOVERY_USED = "mfa_recovery_used", _("Recovery code used")
    MFA_CODES_RENEWED = "mfa_codes_renewed", _("New recovery codes")
    MFA_RESET = "mfa_reset", _("Two-factor sign-in reset")


class AccessEvent(models.Model):
    """Who got in, who tried, and what changed about an account: read by procurement staff and
    administrators on the access log page. `email` is the address as given (a failed sign-in
    may name no account); `by` is who made the change when it was someone else."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("what"), max_length=20, choices=AccessEventKind)
    email = models.CharField(_("e-mail"), max_length=254)
    person = models.ForeignKey(
        User,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_events",
    )
    by = models.ForeignKey(
        User,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.GenericIPAddressField(_("from"), null=True, blank=True)

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}: {self.email}"


class Delivery(models.TextChoices):
    """How a person gets one kind of e-mail (governance.notifications)."""

    AT_ONCE = "at_once", _("At once")
    DIGEST = "digest", _("In the weekly digest")
    OFF = "off", _("Not at all")


class NotificationSetting(models.Model):
    """A person's choice for one kind of e-mail, named by its outbox key prefix; a kind
    without a row comes at once."""

    user = models.ForeignKey(
        User,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="notification_settings",
    )
    kind = models.CharField(_("kind of e-mail"), max_length=40)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery)

    class Meta:
        verbose_name = _("notification setting")
        verbose_name_plural = _("notification settings")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_setting_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.delivery}"


class HeldEmail(models.Model):
    """An e-mail a person asked to get in their weekly digest instead of at once: kept until
    the digest that carries it (digest_key) is queued. The unique key makes a repeat harmless,
    as the outbox's does."""

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="held_emails"
    )
    key = models.CharField(_("key"), max_length=300, unique=True)
    kind = models.CharField(_("kind of e-mail"), max_length=40)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    digest_key = models.CharField(_("sent in the digest"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("e-mail held for the digest")
        verbose_name_plural = _("e-mails held for the digest")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["user"], condition=Q(digest_key=""), name="held_email_waiting"),
        ]

    def __str__(self) -> str:
        return self.key


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """A large export the worker writes (governance.exports): the list, the page's query string
    and the language it was asked in; the file is kept for the person who asked until
    expires_at, then deleted (governance.services.purge_expired_exports)."""

    requested_by = models.ForeignKey(
        User, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="+"
    )
    list_name = models.CharField(_("list"), max_length=40)
    file_format = models.CharField(_("format"), max_length=4)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    language = models.CharField(_("language"), max_length=5, default="sv")
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus, default=ExportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content = models.BinaryField(_("file"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.list_name}.{self.file_format} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("export_job", args=[self.pk])

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
