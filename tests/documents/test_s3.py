"""Attachments in S3-compatible object storage, as production keeps them when
ATTACHMENTS_S3_BUCKET is set: a real S3 server (moto's, over HTTP on 127.0.0.1) takes the
upload made through the portal's own form and gives the same bytes back through its download;
nothing reaches the filesystem."""

import hashlib
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from documents.models import DocumentVersion

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"
BUCKET = "portal-attachments"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_attachments(s3_server, settings, tmp_path, monkeypatch):
    for name, value in KEYS.items():
        monkeypatch.setenv(name.upper(), value)
    s3 = boto3.client("s3", endpoint_url=s3_server, region_name="eu-north-1", **KEYS)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("ATTACHMENTS_S3_BUCKET", BUCKET)
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", s3_server)
    monkeypatch.setenv("AWS_S3_REGION_NAME", "eu-north-1")
    from governance.settings.base import attachments_storage

    filesystem = Path(settings.STORAGES["attachments"]["OPTIONS"]["location"])

    # The storage exactly as the settings build it from the environment.
    settings.STORAGES = {**settings.STORAGES, "attachments": attachments_storage()}
    before = set(filesystem.rglob("*"))
    yield s3
    assert set(filesystem.rglob("*")) == before  # the tests' own attachments folder untouched
    storages._storages.pop("attachments", None)


def test_upload_and_download_through_s3(
    s3_attachments, contract_a, client_for, procurement, tmp_path
):
    client = client_for(procurement)
    url = reverse("documents:attachments", args=["contract", contract_a.pk])
    response = client.post(
        url,
        {
            "title": "Avtal",
            "document_type": "contract",
            "file": SimpleUploadedFile("Avtal.pdf", PDF),
        },
    )
    assert response.status_code == 302
    version = DocumentVersion.objects.get()
    assert type(storages["attachments"]).__name__ == "S3Storage"

    stored = s3_attachments.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert [item["Key"] for item in stored] == [f"attachments/{version.stored_as}"]
    body = s3_attachments.get_object(Bucket=BUCKET, Key=stored[0]["Key"])["Body"].read()
    assert body == PDF

    response = client.get(version.get_absolute_url())
    assert response.status_code == 200
    downloaded = b"".join(response.streaming_content)
    assert downloaded == PDF
    assert hashlib.sha256(downloaded).hexdigest() == version.sha256
    assert response["Content-Disposition"].startswith("attachment;")
    # Nothing went to the filesystem.
    assert not any(tmp_path.rglob("*.*"))
    assert not (tmp_path / "media").exists()
