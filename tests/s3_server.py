"""A real S3 endpoint on loopback: moto's server mode in a child process (no mocked client)."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from typing import Iterator

import requests

from tests.conftest import free_port

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@contextmanager
def s3_server() -> Iterator[dict[str, str]]:
    """Start moto on 127.0.0.1:<free port>; yields the environment that points boto/s3fs at it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(url, timeout=2)
                break
            except requests.RequestException:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        yield {"AWS_ENDPOINT_URL": url, **CREDENTIALS}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def new_bucket(env: dict[str, str]) -> str:
    """Create a fresh bucket on the endpoint; its s3:// URL with a prefix."""
    import s3fs

    name = f"tokenrank-{uuid.uuid4().hex[:12]}"
    s3fs.S3FileSystem(endpoint_url=env["AWS_ENDPOINT_URL"], key=env["AWS_ACCESS_KEY_ID"],
                      secret=env["AWS_SECRET_ACCESS_KEY"]).mkdir(name)
    return f"s3://{name}/homes/team"
