"""Creates or updates one of the provider's people: password, name and exactly these groups."""

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--groups", nargs="*", default=[])

    def handle(self, *args, email, password, first_name, last_name, groups, **options):
        person, _created = User.objects.get_or_create(username=email)
        person.email = email
        person.first_name = first_name
        person.last_name = last_name
        if not person.check_password(password):  # a new password would end their session
            person.set_password(password)
        person.save()
        person.groups.set(Group.objects.get_or_create(name=name)[0] for name in groups)
