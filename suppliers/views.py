from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from governance.access import manager_required, require_manager
from governance.fragments import audience, shared_fragment

from . import services
from .forms import AcceptInvitationForm, ContactForm, InvitationForm, SupplierForm
from .models import Contact, Contract, ContractStatus, Invitation, Supplier


@login_required
def supplier_list(request):
    if not request.user.sees_portfolio:
        # A supplier contact has exactly one supplier: their list is that page.
        return redirect("suppliers:detail", request.user.supplier_id)
    suppliers = (
        Supplier.objects.visible_to(request.user)
        .annotate(
            contract_count=Count("contracts", distinct=True),
            annual_value=Sum(
                "contracts__annual_value_sek",
                filter=Q(contracts__status__in=[ContractStatus.ACTIVE, ContractStatus.TERMINATING]),
            ),
        )
        .order_by("name")
    )
    return render(request, "suppliers/supplier_list.html", {"suppliers": suppliers})


@manager_required
def supplier_create(request):
    form = SupplierForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        supplier = form.save()
        messages.success(request, _("Supplier %(name)s was added.") % {"name": supplier.name})
        return redirect(supplier)
    return render(request, "suppliers/supplier_form.html", {"form": form})


def _supplier_context(request, supplier, **overrides):
    can_manage = request.user.can_manage
    context = {
        "supplier": supplier,
        "contracts": supplier.contracts.order_by("reference"),
        "contacts": supplier.contacts.select_related("user"),
        "can_manage": can_manage,
        "contact_form": ContactForm(supplier=supplier) if can_manage else None,
    }
    if can_manage:
        context["invitations"] = supplier.invitations.select_related("invited_by")[:20]
        context["invitation_form"] = InvitationForm()
    context.update(overrides)
    return context


def _visible_supplier(request, pk):
    return get_object_or_404(Supplier.objects.visible_to(request.user), pk=pk)


# What a supplier's page shows those who cannot change it: the supplier, its contracts and
# its contacts (whether each has an account is on the contact).
SUPPLIER_PAGE_DATA = (Supplier, Contract, Contact)


def _supplier_page(request, supplier, **overrides):
    def body():
        context = _supplier_context(request, supplier, **overrides)
        return render_to_string("suppliers/_supplier.html", context, request)

    if request.user.can_manage:  # its forms carry the person's own CSRF token: not shared
        content = body()
    else:
        parts = ("supplier", supplier.pk, audience(request.user))
        content = shared_fragment(parts, SUPPLIER_PAGE_DATA, body)
    context = {"supplier": supplier, "body": content}
    return render(request, "suppliers/supplier_detail.html", context)


@login_required
def supplier_detail(request, pk):
    return _supplier_page(request, _visible_supplier(request, pk))


@login_required
def supplier_edit(request, pk):
    supplier = _visible_supplier(request, pk)
    require_manager(request.user)
    form = SupplierForm(request.POST if request.method == "POST" else None, instance=supplier)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The supplier was saved."))
        return redirect(supplier)
    return render(request, "suppliers/supplier_form.html", {"form": form, "supplier": supplier})


def _render_section(request, supplier, partial, **overrides):
    """Answer an htmx request with the section alone, any other with the whole page."""
    if not request.htmx:
        return _supplier_page(request, supplier, **overrides)
    return render(request, partial, _supplier_context(request, supplier, **overrides))


@require_POST
@vary_on_headers("HX-Request")
@login_required
def contact_add(request, pk):
    supplier = _visible_supplier(request, pk)
    require_manager(request.user)
    form = ContactForm(request.POST, supplier=supplier)
    if form.is_valid():
        form.save()
        if not request.htmx:
            return redirect(supplier.get_absolute_url() + "#contacts")
        form = ContactForm(supplier=supplier)
    return _render_section(request, supplier, "suppliers/_contacts.html", contact_form=form)


@require_POST
@vary_on_headers("HX-Request")
@login_required
def contact_delete(request, pk, contact_pk):
    supplier = _visible_supplier(request, pk)
    require_manager(request.user)
    get_object_or_404(supplier.contacts, pk=contact_pk).delete()
    if not request.htmx:
        return redirect(supplier.get_absolute_url() + "#contacts")
    return _render_section(request, supplier, "suppliers/_contacts.html")


@require_POST
@vary_on_headers("HX-Request")
@login_required
def invitation_create(request, pk):
    supplier = _visible_supplier(request, pk)
    require_manager(request.user)
    form = InvitationForm(request.POST)
    if form.is_valid():
        invitation, token = services.invite_contact(
            supplier, invited_by=request.user, **form.cleaned_data
        )
        if services.send_invitation_email(invitation, token):
            messages.success(
                request, _("An invitation was e-mailed to %(email)s.") % {"email": invitation.email}
            )
        else:
            messages.error(
                request,
                _(
                    "The invitation to %(email)s was saved but the e-mail could not be sent. "
                    "Try Resend in a while."
                )
                % {"email": invitation.email},
            )
        if not request.htmx:
            return redirect(supplier.get_absolute_url() + "#invitations")
        form = InvitationForm()
    return _render_section(request, supplier, "suppliers/_invitations.html", invitation_form=form)


@require_POST
@vary_on_headers("HX-Request")
@login_required
def invitation_resend(request, pk, invitation_pk):
    supplier = _visible_supplier(request, pk)
    require_manager(request.user)
    old = get_object_or_404(supplier.invitations, pk=invitation_pk, accepted_at__isnull=True)
    invitation, token = services.invite_contact(
        supplier, name=old.name, email=old.email, invited_by=request.user
    )
    if services.send_invitation_email(invitation, token):
        messages.success(
            request, _("A new invitation was e-mailed to %(email)s.") % {"email": old.email}
        )
    else:
        messages.error(request, _("The e-mail could not be sent. Try again in a while."))
    if not request.htmx:
        return redirect(supplier.get_absolute_url() + "#invitations")
    return _render_section(request, supplier, "suppliers/_invitations.html")


@require_POST
@vary_on_headers("HX-Request")
@login_required
def invitation_revoke(request, pk, invitation_pk):
    supplier = _visible_supplier(request, pk)
    require_manager(request.user)
    Invitation.objects.pending().filter(supplier=supplier, pk=invitation_pk).update(
        revoked_at=timezone.now(), revoked_by=request.user
    )
    if not request.htmx:
        return redirect(supplier.get_absolute_url() + "#invitations")
    return _render_section(request, supplier, "suppliers/_invitations.html")


def accept_invitation(request, token):
    invitation = services.find_invitation(token)
    if invitation is None or not invitation.is_usable:
        return render(
            request,
            "suppliers/invitation_unusable.html",
            {"invitation": invitation},
            status=404 if invitation is None else 410,
        )
    form = AcceptInvitationForm(
        request.POST if request.method == "POST" else None,
        invitation=invitation,
        initial={"name": invitation.name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                invitation, name=form.cleaned_data["name"], password=form.cleaned_data["password1"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="governance.auth.PortalBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("home")
    return render(
        request, "suppliers/invitation_accept.html", {"form": form, "invitation": invitation}
    )
