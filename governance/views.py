"""The governance section of the contract page: role holders and mandates per level. The page
itself is the portal's; these endpoints answer with the section (htmx) or send the browser back
to it."""

import time
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from . import access_log, mfa, notifications, selectors, services
from . import account as account_sections
from .access import manager_required, require_manager
from .cache import count_up
from .forms import (
    MandateForm,
    NotificationSettingsForm,
    PortalPasswordResetForm,
    ResponseTimeForm,
    RoleForm,
    RoleHolderForm,
    SecondFactorForm,
)
from .htmx import PortalRequest, message_above_the_page, section
from .models import (
    CITY_ROLES,
    AccessEvent,
    AccessEventKind,
    GovernanceLevel,
    Level,
    Role,
    SignOffLink,
    User,
    normalise_email,
)
from .security import client_ip

TEMPLATE = "governance/governance_model.html"


def _managed_level(request: PortalRequest, pk: int, level: str) -> GovernanceLevel:
    """The level of a contract the person sees (else 404) and may change (else 403)."""
    governance_level = get_object_or_404(
        GovernanceLevel.objects.visible_to(request.user).select_related("contract"),
        contract_id=pk,
        level=level,
    )
    require_manager(request.user)
    return governance_level


def _level_section(
    request: PortalRequest,
    governance_level: GovernanceLevel,
    *,
    form: RoleHolderForm | None = None,
    error: str | None = None,
) -> HttpResponse:
    """The level as it now stands (htmx), the contract page at it, or this section's page with
    a refused change."""
    contract = governance_level.contract
    selectors.with_role_holders([contract])
    level = governance_level.level
    context = selectors.governance_model(
        contract,
        request.user,
        holder_forms={level: form} if form else None,
        errors={level: error} if error else None,
    )
    context["level"] = next(item for item in context["levels"] if item.level == level)
    changed = form is None and error is None
    done = f"{contract.get_absolute_url()}#level-{level}" if changed else None
    return section(request, TEMPLATE, context, partial="level", done=done)


@require_POST
@login_required
def role_holder_add(request: PortalRequest, pk: int, level: str) -> HttpResponse:
    governance_level = _managed_level(request, pk, level)
    form = RoleHolderForm(request.POST, governance_level=governance_level, prefix=level)
    if not form.is_valid():
        return _level_section(request, governance_level, form=form)
    try:
        services.add_role_holder(
            governance_level=governance_level, by=request.user, **form.holder_fields()
        )
    except ValidationError as error:
        form.add_error("person", error)
        return _level_section(request, governance_level, form=form)
    return _level_section(request, governance_level)


@require_POST
@login_required
def role_holder_remove(request: PortalRequest, pk: int, level: str, holder_pk: int) -> HttpResponse:
    governance_level = _managed_level(request, pk, level)
    holder = get_object_or_404(governance_level.role_holders, pk=holder_pk)
    try:
        services.remove_role_holder(holder=holder, by=request.user)
    except ValidationError as error:
        return _level_section(request, governance_level, error=error.messages[0])
    return _level_section(request, governance_level)


@require_http_methods(["GET", "POST"])
@login_required
def mandate_edit(request: PortalRequest, pk: int, level: str) -> HttpResponse:
    governance_level = _managed_level(request, pk, level)
    form = MandateForm(
        request.POST if request.method == "POST" else None, instance=governance_level
    )
    if request.method == "POST" and form.is_valid():
        services.change_mandate(
            governance_level=governance_level, mandate=form.cleaned_data["mandate"], by=request.user
        )
        return _level_section(request, governance_level)
    context = {"contract": governance_level.contract, "level": governance_level, "form": form}
    return section(request, "governance/mandate_form.html", context, partial="form")


@require_http_methods(["GET", "POST"])
@login_required
def response_time_edit(request: PortalRequest, pk: int, level: str) -> HttpResponse:
    """How many days an issue has at a level of the contract before it is flagged as late."""
    governance_level = _managed_level(request, pk, level)
    form = ResponseTimeForm(
        request.POST if request.method == "POST" else None, instance=governance_level
    )
    if request.method == "POST" and form.is_valid():
        services.change_response_time(
            governance_level=governance_level,
            response_days=form.cleaned_data["response_days"],
            by=request.user,
        )
        response = _level_section(request, governance_level)
        if request.htmx:
            # The form sits inside the level: the whole level is swapped for its new state.
            response["HX-Retarget"] = f"#level-{level}"
            response["HX-Reswap"] = "outerHTML"
        return response
    context = {"contract": governance_level.contract, "level": governance_level, "form": form}
    # A refused value: the form again with its message (htmx swaps only a 2xx in its place).
    status = 400 if form.is_bound and not request.htmx else 200
    return section(
        request, "governance/response_time_form.html", context, partial="form", status=status
    )


# Sign-off of the governance model -----------------------------------------------------------


def _business_level(request: PortalRequest, pk: int) -> GovernanceLevel:
    """The business level of a contract the person sees (else 404): its contract is the one
    signed off."""
    return get_object_or_404(
        GovernanceLevel.objects.visible_to(request.user).select_related("contract__supplier"),
        contract_id=pk,
        level=Level.BUSINESS,
    )


def _sign_off_section(request: PortalRequest, governance_level: GovernanceLevel) -> HttpResponse:
    """The sign-off as it now stands (htmx), or the contract page at it."""
    contract = governance_level.contract
    selectors.with_role_holders([contract])
    context = selectors.governance_model(contract, request.user)
    done = f"{contract.get_absolute_url()}#sign-off"
    return section(request, TEMPLATE, context, partial="sign_off", done=done)


def _sign_off_refusal(
    request: PortalRequest, governance_level: GovernanceLevel, error: ValidationError
) -> HttpResponse:
    if request.htmx:
        return message_above_the_page(error.messages[0], status=409)
    messages.error(request, error.messages[0])
    return redirect(f"{governance_level.contract.get_absolute_url()}#sign-off")


@require_POST
@login_required
def sign_off_request(request: PortalRequest, pk: int) -> HttpResponse:
    """Procurement asks both sides' business level to sign off (again)."""
    governance_level = _business_level(request, pk)
    require_manager(request.user)
    try:
        asked = services.request_sign_off(contract=governance_level.contract, by=request.user)
    except ValidationError as error:
        return _sign_off_refusal(request, governance_level, error)
    messages.success(
        request,
        ngettext(
            "The sign-off was asked of %(count)s person by e-mail.",
            "The sign-off was asked of %(count)s people by e-mail.",
            asked,
        )
        % {"count": asked},
    )
    return _sign_off_section(request, governance_level)


@require_POST
@login_required
def sign_off_confirm(request: PortalRequest, pk: int) -> HttpResponse:
    """A business-level role holder, signed in, confirms the roles and mandates for their side."""
    governance_level = _business_level(request, pk)
    contract = governance_level.contract
    holder = selectors.signing_holder(contract, request.user, selectors.sign_off_state(contract))
    if holder is None:
        held = any(
            holder.is_held_by(request.user)
            for holder in governance_level.role_holders.select_related("user", "contact__user")
        )
        if not held:
            raise PermissionDenied
        return _sign_off_refusal(
            request,
            governance_level,
            ValidationError(_("There is nothing for you to sign off now.")),
        )
    try:
        services.sign_off(holder=holder, by=request.user)
    except ValidationError as error:
        return _sign_off_refusal(request, governance_level, error)
    messages.success(request, _("You signed off the governance model."))
    return _sign_off_section(request, governance_level)


@require_http_methods(["GET", "HEAD", "POST"])
def sign_off_link(request: HttpRequest, token: str) -> HttpResponse:
    """The page an e-mailed sign-off link opens, without signing in: the governance model read
    only and a button to confirm it. A link that was used, replaced or has expired says so."""
    template = "governance/sign_off_link.html"
    link = services.find_sign_off_link(token)
    if link is None:
        return render(request, template, {"unknown": True}, status=404)
    contract = link.round.contract
    why = _link_refusal(link)
    if not why and request.method == "POST":
        try:
            signature = services.sign_off_by_link(link=link)
        except ValidationError as error:
            link.refresh_from_db()
            why = _link_refusal(link) or error.messages[0]
        else:
            context = {"link": link, "contract": contract, "signature": signature}
            return render(request, template, context)
    if why:
        return render(
            request, template, {"link": link, "contract": contract, "why": why}, status=410
        )
    selectors.with_role_holders([contract])
    context = {
        **selectors.governance_model(contract, request.user, read_only=True),
        "link": link,
    }
    return render(request, template, context)


def _day(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")


def _link_refusal(link: SignOffLink) -> str:
    """Why this link can no longer be used, or "" when it can."""
    if link.used_at is not None:
        return _("This link was used on %(date)s: the sign-off is recorded.") % {
            "date": _day(link.used_at)
        }
    if link.superseded_at is not None or link.round.closed_at is not None:
        return _(
            "This link was replaced by a newer one (the governance model changed, or the "
            "request was sent again). Use the link in the latest e-mail."
        )
    if link.holder_id is None:
        return _("You no longer hold a business-level role on this contract.")
    if link.expires_at <= timezone.now():
        return _("This link has expired. Ask the city's procurement staff to send a new one.")
    earlier = link.round.signatures.filter(side=link.side).first()
    if earlier is not None:
        return _("Your side's sign-off was given by %(name)s on %(date)s.") % {
            "name": earlier.name,
            "date": _day(earlier.signed_at),
        }
    return ""


# Password reset ---------------------------------------------------------------------------

RESETS_PER_ADDRESS_AN_HOUR = 3
RESETS_PER_CLIENT_AN_HOUR = 20


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an e-mail address and answers the same whether or not it has an account (so
    the page tells nobody who does). Links go out at most RESETS_PER_ADDRESS_AN_HOUR times an
    hour to one address and RESETS_PER_CLIENT_AN_HOUR from one client; beyond that the answer
    is the same and nothing is sent."""

    form_class = PortalPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        hour = int(time.time() // 3600)
        address = normalise_email(form.cleaned_data["email"])
        per_address = count_up(f"password-reset:{address}:{hour}", timeout=3600)
        per_client = count_up(f"password-reset:{client_ip(self.request)}:{hour}", timeout=3600)
        person = User.objects.filter(email=address).first()
        access_log.record(
            AccessEventKind.RESET_ASKED, email=address, person=person, request=self.request
        )
        if (per_address or 0) > RESETS_PER_ADDRESS_AN_HOUR or (
            per_client or 0
        ) > RESETS_PER_CLIENT_AN_HOUR:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


def _logged(
    request: HttpRequest, kind: str, form: SetPasswordForm, response: HttpResponse
) -> HttpResponse:
    """A new password saved by `form` (a reset or a change), in the access log."""
    user = form.user
    access_log.record(kind, email=user.email, person=user, request=request)
    return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        saved = super().form_valid(form)
        return _logged(self.request, AccessEventKind.PASSWORD_RESET, form, saved)


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        saved = super().form_valid(form)
        return _logged(self.request, AccessEventKind.PASSWORD_CHANGED, form, saved)


# The access log -----------------------------------------------------------------------------

ACCESS_EVENTS_PER_PAGE = 50


@manager_required
def access_log_page(request: PortalRequest) -> HttpResponse:
    """Sign-ins, failures, resets and deactivations, newest first, for procurement staff and
    administrators; ?q= narrows to addresses containing it."""
    events = AccessEvent.objects.select_related("by")
    query = search_text(request)
    if query:
        events = events.filter(email__icontains=query)
    page = Paginator(events, ACCESS_EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "q": query, "search_query": _kept_search(query)}
    return render(request, "governance/access_log.html", context)


def search_text(request: HttpRequest) -> str:
    """What a list's ?q= asks for, as far as an address or name can hold it: without the NUL
    characters PostgreSQL refuses in text (a URL can carry them), at most 254 characters."""
    return request.GET.get("q", "").replace("\x00", "").strip()[:254]


def _kept_search(query: str) -> str:
    """The search for the pager's links to keep (see _pager.html)."""
    return urlencode({"q": query}) + "&" if query else ""


# People -------------------------------------------------------------------------------------

PEOPLE_PER_PAGE = 50


def _people(request: PortalRequest, *, status: int = 200) -> HttpResponse:
    query = search_text(request)
    people = User.objects.select_related("supplier").order_by(
        "-is_active", "supplier__name", "last_name", "first_name", "email"
    )
    if query:
        people = people.filter(
            Q(email__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        )
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": query,
        "search_query": _kept_search(query),
        "with_authenticator": mfa.with_authenticator(page.object_list),
        "city_roles": CITY_ROLES,
        "role_choices": RoleForm.base_fields["role"].choices,  # type: ignore[attr-defined]
    }
    return section(request, "governance/people.html", context, partial="rows", status=status)


@manager_required
def people(request: PortalRequest) -> HttpResponse:
    """Everyone with an account, for procurement staff and administrators, who deactivate and
    reactivate accounts here (each in the access log)."""
    return _people(request)


def people_refusal(request: PortalRequest, refusal: str) -> HttpResponse:
    """A change on the People page that is not allowed: said above the page (htmx) or as a
    message on it. (Also for the suppliers' app's re-invitation there.)"""
    if request.htmx:
        return message_above_the_page(refusal, status=409)
    messages.error(request, refusal)
    return redirect("people")


def _refused_for_own_or_administrators(
    request: PortalRequest, person: User, *, own: str, administrators: str
) -> HttpResponse | None:
    """Nobody makes this change to their own account, and only an administrator to an
    administrator's: the refusal, or None."""
    if person == request.user:
        return people_refusal(request, own)
    if person.is_administrator and not request.user.is_administrator:
        return people_refusal(request, administrators)
    return None


def people_changed(request: PortalRequest) -> HttpResponse:
    """After a change on the People page: its rows (htmx) or the page."""
    if not request.htmx:
        return redirect("people")
    return _people(request)


@require_POST
@manager_required
def people_deactivate(request: PortalRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    refused = _refused_for_own_or_administrators(
        request,
        person,
        own=_("You cannot deactivate your own account."),
        administrators=_("Only an administrator can deactivate an administrator."),
    )
    if refused:
        return refused
    services.deactivate_user(user=person, by=request.user)
    return people_changed(request)


@require_POST
@manager_required
def people_reactivate(request: PortalRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    services.reactivate_user(user=person, by=request.user)
    return people_changed(request)


@require_POST
@manager_required
def people_reset_second_factor(request: PortalRequest, pk: int) -> HttpResponse:
    """For someone who lost their phone: they set the app up again at their next sign-in."""
    person = get_object_or_404(User, pk=pk)
    refused = _refused_for_own_or_administrators(
        request,
        person,
        own=_("Set up a new phone for yourself on Your account."),
        administrators=_("Only an administrator can reset an administrator's two-factor sign-in."),
    )
    if refused:
        return refused
    mfa.reset_second_factor(user=person, by=request.user, request=request)
    return people_changed(request)


@require_POST
@manager_required
def people_change_role(request: PortalRequest, pk: int) -> HttpResponse:
    """Another of the city's roles for one of its staff (a supplier's contact keeps theirs)."""
    person = get_object_or_404(User, pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return people_refusal(request, _("Choose one of the city's roles."))
    role = form.cleaned_data["role"]
    if person == request.user:
        return people_refusal(request, _("Another manager or an administrator changes your role."))
    if person.role not in CITY_ROLES:
        return people_refusal(request, _("A supplier's contact has no other role in the portal."))
    if Role.ADMINISTRATOR in (person.role, role) and not request.user.is_administrator:
        return people_refusal(
            request, _("Only an administrator gives or takes the administrator role.")
        )
    services.change_role(user=person, role=role, by=request.user)
    return people_changed(request)


# Two-factor sign-in and the person's own account --------------------------------------------


def _next_page(request: HttpRequest) -> str:
    """Where the person was going before the code was asked for (only within the portal)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url("portal:home")


def _with_next(url_name: str, request: HttpRequest) -> str:
    return f"{resolve_url(url_name)}?{urlencode({'next': _next_page(request)}, safe='/')}"


@require_http_methods(["GET", "POST"])
@login_required
def mfa_verify(request: PortalRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code."""
    if mfa.session_passed(request):
        return redirect(_next_page(request))
    if not mfa.has_authenticator(request.user):
        return redirect(_with_next("mfa_setup", request))
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if mfa.pass_second_factor(request, form.cleaned_data["code"]):
            return redirect(_next_page(request))
        wait = mfa.seconds_to_wait(request.user)
        form.add_error(
            "code",
            _("That code is not right, or was used already. Try the next code your app shows.")
            if wait <= 1  # the pause after a single wrong code is shorter than retyping it
            else _("Too many wrong codes: try again in %(seconds)s seconds.") % {"seconds": wait},
        )
    context = {
        "form": form,
        "next": _next_page(request),
        "demo_code": mfa.demo_code(request.user),
    }
    return render(request, "registration/mfa_verify.html", context)


SETUP_DEVICE = "mfa_setup_device"  # session key: the authenticator being set up


@require_http_methods(["GET", "POST"])
@login_required
def mfa_setup(request: PortalRequest) -> HttpResponse:
    """Setting the app up: a QR code (and the key as text), then a code from the app confirms
    it and the recovery codes are shown, once. A person who has an app already must pass it
    first: a stolen password alone does not set up a new phone."""
    user = request.user
    if mfa.has_authenticator(user) and not mfa.session_passed(request):
        return redirect(_with_next("mfa_verify", request))
    device = None
    if request.method == "POST":
        device = mfa.TOTPDevice.objects.filter(
            pk=request.session.get(SETUP_DEVICE), user=user, confirmed=False
        ).first()
    form = SecondFactorForm(request.POST if device is not None else None)
    if device is not None and form.is_valid():
        try:
            codes = mfa.confirm_authenticator(request, device, form.cleaned_data["code"])
        except ValueError:
            form.add_error("code", _("That code is not right. Type the code the app shows now."))
        else:
            request.session.pop(SETUP_DEVICE, None)
            context = {"codes": codes, "next": _next_page(request), "first": True}
            return render(request, "registration/mfa_recovery_codes.html", context)
    if device is None:
        device = mfa.new_authenticator(user)
        request.session[SETUP_DEVICE] = device.pk
        if request.method == "POST":
            messages.error(request, _("The setup had ended: scan this new code."))
    context = {
        "form": form,
        "next": _next_page(request),
        "qr_code": mfa.qr_code_svg(device),
        "key": mfa.authenticator_key(device),
        "required": mfa.must_pass(user) and not mfa.has_authenticator(user),
    }
    return render(request, "registration/mfa_setup.html", context)


@require_POST
@login_required
def mfa_recovery_codes(request: PortalRequest) -> HttpResponse:
    """New recovery codes, shown once; the old ones stop working. (Outside /mfa/, so
    SecondFactorMiddleware asks for the second factor first.)"""
    if not mfa.has_authenticator(request.user):
        return redirect("account")
    codes = mfa.renew_recovery_codes(request)
    context = {"codes": codes, "next": resolve_url("account"), "first": False}
    return render(request, "registration/mfa_recovery_codes.html", context)


@login_required
def account(request: PortalRequest) -> HttpResponse:
    """The signed-in person's own account: password and two-factor sign-in."""
    user = request.user
    context = {
        "has_authenticator": mfa.has_authenticator(user),
        "required": mfa.must_pass(user),
        "codes_left": mfa.recovery_codes_left(user),
        "signed_in_through_provider": bool(request.session.get(mfa.SIGNED_IN_THROUGH)),
        "sections": account_sections.sections(),
    }
    return render(request, "governance/account.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def notification_settings(request: PortalRequest) -> HttpResponse:
    """Which e-mails the person gets, and which wait for their weekly digest."""
    kinds = notifications.kinds()
    form = NotificationSettingsForm(
        request.POST if request.method == "POST" else None,
        kinds=kinds,
        initial_deliveries=notifications.settings_of(request.user),
    )
    if request.method == "POST":
        if form.is_valid():
            notifications.save_settings(user=request.user, deliveries=form.cleaned_data)
            messages.success(request, _("Your e-mail settings are saved."))
            return redirect("notification_settings")
        return render(request, "governance/notification_settings.html", {"form": form}, status=400)
    return render(request, "governance/notification_settings.html", {"form": form})
