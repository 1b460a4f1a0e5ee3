"""Role holders typed as name and e-mail become people the portal knows: on the city's side
the active member of staff with that address (when there is one; the others keep their typed
name and address, shown as not linked, until named again), on the supplier's side the
supplier's contact with that address, added as a contact when there is none."""

import unicodedata

from django.db import migrations

CITY_ROLES = ("procurement", "director", "admin")


def normalise_email(address):
    return unicodedata.normalize("NFC", address.strip()).lower()


def link(apps, schema_editor):
    RoleHolder = apps.get_model("governance", "RoleHolder")
    User = apps.get_model("governance", "User")
    Contact = apps.get_model("suppliers", "Contact")
    staff = {
        user.email: user
        for user in User.objects.filter(is_active=True, role__in=CITY_ROLES)
    }
    holders = RoleHolder.objects.filter(user__isnull=True, contact__isnull=True).select_related(
        "governance_level__contract"
    )
    for holder in holders:
        address = normalise_email(holder.email)
        if holder.side == "buyer":
            holder.user = staff.get(address)
            if holder.user is None:
                continue
        else:
            supplier_id = holder.governance_level.contract.supplier_id
            holder.contact = (
                Contact.objects.filter(supplier_id=supplier_id, email__iexact=address).first()
                or Contact.objects.create(
                    supplier_id=supplier_id, name=holder.name, email=address, phone=holder.phone
                )
            )
        holder.save(update_fields=["user", "contact"])


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0014_role_holders_as_people_and_sign_off"),
        ("suppliers", "0008_verbose_names"),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
