"""docker-compose.yml as Debian's docker-compose reads it (no Docker engine needed): the
PostgreSQL password comes from the environment, the image is built once, migrations run once
before the rest starts, and web, worker and beat each have a healthcheck."""

import os
import re
import shutil
import subprocess

import pytest

from tests.drills.processes import ROOT

pytestmark = pytest.mark.skipif(
    shutil.which("docker-compose") is None, reason="docker-compose is not installed"
)

SETTINGS = {"DJANGO_SECRET_KEY": "compose-test-key", "POSTGRES_PASSWORD": "Pw-from-the-env_1"}


def compose_config(**env):
    environment = {key: value for key, value in os.environ.items() if key not in SETTINGS}
    return subprocess.run(
        ["docker-compose", "config"],  # noqa: S607
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def services(config):
    """Each service's block of `docker-compose config`'s output (two-space indented YAML)."""
    body = re.search(r"^services:\n((?:[ -].*\n)*)", config, re.MULTILINE).group(1)
    return dict(re.findall(r"^  (\w+):\n((?:    .*\n|  - .*\n)*)", body, re.MULTILINE))


def test_the_postgresql_password_must_come_from_the_environment():
    refused = compose_config(DJANGO_SECRET_KEY="compose-test-key")
    assert refused.returncode != 0
    assert "set POSTGRES_PASSWORD" in refused.stderr


def test_one_build_one_migration_and_a_healthcheck_each():
    finished = compose_config(**SETTINGS)
    assert finished.returncode == 0, finished.stderr
    blocks = services(finished.stdout)
    assert set(blocks) == {"proxy", "migrate", "web", "worker", "beat", "postgres", "redis"}
    assert [name for name, block in blocks.items() if "    build:" in block] == ["migrate"]
    image = re.search(r"    image: (\S+)", blocks["migrate"]).group(1)
    for name in ("web", "worker", "beat"):
        block = blocks[name]
        assert f"    image: {image}" in block, name
        assert "migrate:\n        condition: service_completed_successfully" in block, name
        assert "    healthcheck:" in block, name
        assert "migrate" not in block.split("depends_on:")[0], name  # no migrate command
        assert "postgres://portal:Pw-from-the-env_1@postgres:5432/portal" in block, name
    assert "manage.py" in blocks["migrate"] and "migrate" in blocks["migrate"]
    assert "POSTGRES_PASSWORD: Pw-from-the-env_1" in blocks["postgres"]
    assert "/healthz/" in blocks["web"]
    assert "inspect" in blocks["worker"] and "ping" in blocks["worker"]
    assert "healthcheck" in blocks["beat"] and "beat" in blocks["beat"]


def test_only_the_tls_proxy_is_published_and_only_its_address_is_believed():
    finished = compose_config(**SETTINGS, PORTAL_DOMAIN="portal.example")
    assert finished.returncode == 0, finished.stderr
    blocks = services(finished.stdout)
    assert [name for name, block in blocks.items() if "    ports:" in block] == ["proxy"]
    proxy = blocks["proxy"]
    assert "image: caddy:2" in proxy
    assert "published: 443" in proxy and "published: 80" in proxy
    assert "deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy
    address = re.search(r"ipv4_address: (\S+)", proxy).group(1)
    for name in ("web", "worker", "beat", "migrate"):
        assert f"DJANGO_TRUSTED_PROXIES: {address}" in blocks[name], name
        assert "DJANGO_ALLOWED_HOSTS: portal.example" in blocks[name], name
        assert "PORTAL_BASE_URL: https://portal.example" in blocks[name], name
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddyfile
    assert "{$PORTAL_DOMAIN" in caddyfile
