"""Compiles the translation catalogues (locale/*/LC_MESSAGES/*.po) into the .mo files Django
reads, with Babel: unlike Django's compilemessages it needs no GNU gettext on the machine, so
the README's two commands and the Docker image compile them anywhere. Fuzzy entries are left
out, as msgfmt does (tests/i18n refuses them anyway)."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the portal's translation catalogues (.po) into .mo files."

    def handle(self, *args, **options):
        compiled = 0
        for folder in settings.LOCALE_PATHS:
            for po_path in sorted(Path(folder).glob("*/LC_MESSAGES/*.po")):
                with po_path.open("rb") as po_file:
                    catalogue = read_po(po_file)
                with po_path.with_suffix(".mo").open("wb") as mo_file:
                    write_mo(mo_file, catalogue, use_fuzzy=False)
                compiled += 1
        if options["verbosity"] > 1:
            self.stdout.write(f"{compiled} catalogue(s) compiled")
