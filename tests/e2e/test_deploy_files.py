"""The deployment examples in docs/deploy/ are what their tools accept: nginx parses the proxy
configuration (`nginx -t`), systemd verifies the units (`systemd-analyze verify`), and the
limits that must agree between them do (body size, time to process the largest manifest)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import signing

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "docs" / "deploy"
NGINX = (DEPLOY / "nginx-customs.conf").read_text(encoding="utf-8")
WEB = (DEPLOY / "customs-web.service").read_text(encoding="utf-8")
WORKER = (DEPLOY / "customs-worker@.service").read_text(encoding="utf-8")
MANIFEST_CAP = 104_857_600  # CUSTOMS_MAX_MANIFEST_BYTES' default


def _seconds(directive: str) -> int:
    return int(re.search(rf"\n\s*{directive} (\d+)s;", NGINX).group(1))  # type: ignore[union-attr]


def test_the_proxy_fits_the_largest_manifest_and_shields_the_sync_workers():
    size = re.search(r"client_max_body_size (\d+)m;", NGINX)
    assert size and int(size.group(1)) * 1024 * 1024 == MANIFEST_CAP
    assert "proxy_request_buffering on;" in NGINX and "proxy_buffering on;" in NGINX
    gunicorn_timeout = int(re.search(r"GUNICORN_TIMEOUT=(\d+)", WEB).group(1))  # type: ignore[union-attr]
    assert gunicorn_timeout >= 180  # minutes for a 50,000-parcel manifest, with margin
    assert _seconds("proxy_read_timeout") > gunicorn_timeout
    assert "127.0.0.1:8000" in NGINX and "GUNICORN_BIND=127.0.0.1:8000" in WEB


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed: `bash "
                    "scripts/setup.sh --with-nginx` as root installs it (CI does)")
def test_nginx_accepts_the_proxy_configuration(tmp_path):
    key, cert = signing.generate_dev_key("ecdsa-p256", tmp_path / "tls", common_name="customs")
    site = (NGINX.replace("/etc/ssl/customs/fullchain.pem", str(cert))
            .replace("/etc/ssl/customs/privkey.pem", str(key))
            .replace("/var/log/nginx/", f"{tmp_path}/"))
    (tmp_path / "customs.conf").write_text(site)
    temp = "".join(f"    {kind}_temp_path {tmp_path}/{kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n{temp}    access_log off;\n    include {tmp_path}/customs.conf;\n}}\n")
    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c",
                             str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "[warn]" not in result.stderr, result.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed (no systemd on this machine)")
@pytest.mark.parametrize(("name", "text"), [("customs-web.service", WEB),
                                            ("customs-worker@.service", WORKER)])
def test_systemd_accepts_the_units(tmp_path, name, text):
    # Where they point: this checkout and the interpreter running the tests (its bin holds the
    # gunicorn and customs commands), instead of /opt/customs, which is not installed here.
    unit = tmp_path / name
    unit.write_text(text.replace("/opt/customs/.venv/bin", str(Path(sys.executable).parent))
                    .replace("/opt/customs", str(ROOT)))
    for command in ("gunicorn", "customs"):
        assert (Path(sys.executable).parent / command).exists(), f"{command} is not installed"
    target = unit.name.replace("@.", "@1.")
    if target != unit.name:
        shutil.copy(unit, tmp_path / target)
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", str(tmp_path / target)],
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    said = result.stdout + result.stderr
    assert result.returncode == 0, said
    assert "Unknown" not in said and "ignoring" not in said, said
