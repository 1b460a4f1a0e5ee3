import json

from django.core.management.base import BaseCommand, CommandError

from governance.health import CHECKS, run_checks


class Command(BaseCommand):
    help = (
        "Run the readiness checks of /readyz/ (all, or those named) and print their answer; "
        "exits with 1 when one fails. For container healthchecks, e.g. `healthcheck beat`."
    )
    # Runs every few seconds in a container: Django's system checks would only slow it down.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("checks", nargs="*", metavar="check", help=", ".join(CHECKS))

    def handle(self, *args, checks, **options):
        unknown = set(checks) - set(CHECKS)
        if unknown:
            raise CommandError(f"no such check: {', '.join(sorted(unknown))}")
        result = run_checks(checks or None)
        self.stdout.write(json.dumps(result))
        if result["status"] != "ok":
            failing = [name for name, check in result["checks"].items() if check["state"] != "ok"]
            raise CommandError(f"failing: {', '.join(failing)}")
