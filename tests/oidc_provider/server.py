"""The tests' provider as a process of its own: set up in a temporary folder, served by
runserver on a free port of 127.0.0.1 (the portal's live server is on localhost: another host
name, so the two keep their cookies apart), stopped at the end."""

import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from tests.drills.processes import ROOT, free_port, stop
from tests.worker import wait_for

CLIENT_ID = "governance-portal"
CLIENT_SECRET = "portal-secret-for-the-tests-only"


class LocalProvider:
    def __init__(self, redirect_uri: str) -> None:
        self.redirect_uri = redirect_uri
        self.folder = tempfile.TemporaryDirectory(prefix="oidc-provider-")
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.address}/openid"
        self.process: subprocess.Popen | None = None
        self.log = Path(self.folder.name) / "provider.log"

    def _environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
            "OIDC_PROVIDER_DATABASE": str(Path(self.folder.name) / "provider.sqlite3"),
        }

    def manage(self, *arguments: str) -> None:
        subprocess.run(  # noqa: S603 - our own command
            [sys.executable, "-m", "django", *arguments],
            cwd=ROOT,
            env=self._environment(),
            check=True,
            capture_output=True,
            timeout=60,
        )

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(  # noqa: S310 - our own local server
                f"{self.url}/.well-known/openid-configuration", timeout=1
            ) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError):
            return False

    def start(self) -> None:
        self.manage(
            "set_up_provider",
            f"--client-id={CLIENT_ID}",
            f"--client-secret={CLIENT_SECRET}",
            f"--redirect-uri={self.redirect_uri}",
        )
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own command
                [sys.executable, "-m", "django", "runserver", "--noreload", self.address],
                cwd=ROOT,
                env=self._environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if not wait_for(self.answers, seconds=30):
            self.stop()
            raise RuntimeError(f"The OpenID Connect provider did not start:\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        stop(self.process, seconds=10)
        self.folder.cleanup()

    def person(self, email: str, *, password: str, name: str, groups: list[str]) -> None:
        """Adds a person to the provider, or gives them this password, name and groups."""
        first_name, _space, last_name = name.partition(" ")
        self.manage(
            "person",
            email,
            f"--password={password}",
            f"--first-name={first_name}",
            f"--last-name={last_name}",
            "--groups",
            *groups,
        )

    def portal_settings(self) -> dict[str, object]:
        """The portal's settings for single sign-on through this provider."""
        return {
            "OIDC_ENABLED": True,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
        }
