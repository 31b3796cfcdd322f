"""The deployment's configuration: `make serve-prod` refuses what cannot hold several processes,
the production environment passes `manage.py check --deploy`, the nginx example fits the app."""

import os
import re
import secrets
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

from tests.asgi_server import ROOT

DEPLOY = ROOT / "deploy"


def serve_prod(**env) -> subprocess.CompletedProcess:
    # -o: take `install` and `pdf-deps` as done; the refusal comes before anything runs.
    return subprocess.run(
        ["make", "--no-print-directory", "-o", "install", "-o", "pdf-deps", "serve-prod"],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=30,
    )


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_serve_prod_refuses_sqlite():
    result = serve_prod(DATABASE_URL="sqlite:///var/x.sqlite3", REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode != 0
    assert "DATABASE_URL must be a PostgreSQL URL" in result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_serve_prod_refuses_to_run_without_redis():
    result = serve_prod(DATABASE_URL="postgres://postgres@127.0.0.1:5432/x", REDIS_URL="")
    assert result.returncode != 0
    assert "REDIS_URL must be set" in result.stderr


def production_env(tmp_path, **overrides) -> dict:
    """deploy/helpathon.env.example as systemd reads it (KEY=VALUE, optional double quotes)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SECURE_", "DJANGO_")) and key not in {"DEBUG", "SECRET_KEY", "LOG_FORMAT"}}
    for line in (DEPLOY / "helpathon.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip().removeprefix('"').removesuffix('"')
    return {**env, "STATIC_ROOT": str(tmp_path / "static"), "MEDIA_ROOT": str(tmp_path / "media"), **overrides}


def check_deploy(env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )


def test_the_production_environment_passes_check_deploy(tmp_path):
    result = check_deploy(production_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(50)))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_while_the_secret_key_is_missing(tmp_path):
    env = production_env(tmp_path)
    assert env["SECRET_KEY"] == ""  # the example leaves it to be filled in
    del env["SECRET_KEY"]  # ... and without it, the local fallback key
    result = check_deploy(env)
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def nginx_block(config: str, opening: str) -> str:
    start = config.index(opening)
    return config[start:config.index("}", start)]


def test_the_nginx_example_streams_unbuffered_and_takes_the_largest_upload():
    config = (DEPLOY / "nginx.conf").read_text()
    stream = nginx_block(config, "location ~ ^/editions/[^/]+/live/stream$")
    assert "proxy_buffering off;" in stream
    assert re.search(r"proxy_read_timeout (\d+)h;", stream)
    assert "gzip off;" in stream
    assert not re.search(r"^\s*proxy_ignore_headers", config, re.M)  # the app's X-Accel-Buffering is obeyed
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in config
    limit = int(re.search(r"client_max_body_size (\d+)m;", config)[1]) * 1024 * 1024
    assert max(settings.PROTOTYPE_PDF_MAX_BYTES, settings.PROTOTYPE_IMAGE_MAX_BYTES) < limit


@pytest.mark.skipif(shutil.which("nginx") is None and not os.environ.get("NGINX"),
                    reason="nginx is not installed (set NGINX=/path/to/nginx to check the example's syntax)")
def test_the_nginx_example_is_valid(tmp_path):
    nginx = os.environ.get("NGINX") or shutil.which("nginx")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", tmp_path / "key.pem", "-out", tmp_path / "cert.pem"], check=True, capture_output=True)
    site = (DEPLOY / "nginx.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/helpathon.example/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/letsencrypt/live/helpathon.example/privkey.pem", str(tmp_path / "key.pem"))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    temp = " ".join(f"{kind}_temp_path {tmp_path}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ access_log {tmp_path}/access.log; {temp} include {tmp_path}/site.conf; }}\n"
    )
    result = subprocess.run([nginx, "-t", "-c", tmp_path / "nginx.conf", "-p", tmp_path],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
