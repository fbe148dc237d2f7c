"""Every command of the README's "Using it", "Roles in one minute" and "A marketplace
integration in Python", run as written, in order,
in a temporary folder, by bash, with the servers started as the README starts them (in the
background), each on a free port: the port numbers are the only thing changed (and `examples/` is
linked into the folder, as the last section runs from the checkout). Each step's
result is checked; a README command without a check here fails the test, so a new command gets
one, and a command that stops working fails the suite."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.servers import background, free_port

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ("## Using it", "## Roles in one minute", "## A marketplace integration in Python")
README_PORTS = {"8000": "service", "8100": "authority simulator"}


def readme_commands(text: str) -> list[str]:
    """The first ```sh block of each section, one command per entry (continuations joined)."""
    commands = []
    for heading in SECTIONS:
        section = text.split(heading, 1)[1]
        block = section.split("```sh\n", 1)[1].split("```", 1)[0]
        commands += block.replace("\\\n", " ").splitlines()
    return [c for c in commands if c.strip() and not c.lstrip().startswith("#")]


@dataclass
class Step:
    command: str
    returncode: int
    output: str
    env: dict[str, str]
    folder: Path

    def json(self) -> object:
        return json.loads(self.output)


class Shell:
    """bash, one command at a time, keeping variables as a user's shell would (`set -a` so that
    `KEY=$(...)` reaches the next command); background commands become servers."""

    def __init__(self, folder: Path, ports: dict[str, int], stack: ExitStack) -> None:
        self.folder, self.ports, self.stack = folder, ports, stack
        self.state = folder / ".readme-shell-state"
        bin_dir = str(Path(sys.executable).parent)  # the `customs` of this interpreter
        env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMS_")}
        env.update(PATH=f"{bin_dir}:{env.get('PATH', '/usr/bin:/bin')}", PYTHONPATH=str(ROOT))
        self.state.write_text("".join(f"export {k}={_quote(v)}\n" for k, v in env.items()))

    def localise(self, command: str) -> str:
        for port, name in README_PORTS.items():
            command = re.sub(rf"\b{port}\b", str(self.ports[name]), command)
        return command

    def run(self, command: str) -> Step:
        line = self.localise(command)
        if re.search(r"&\s*(#.*)?$", line):
            return self._start(re.sub(r"&\s*(#.*)?$", "", line))
        script = (f"set -a; . {self.state}; {line}\nrc=$?; export -p > {self.state}; "
                  "exit $rc")
        done = subprocess.run(["bash", "-c", script], cwd=self.folder, capture_output=True,
                              text=True, timeout=300)
        return Step(command, done.returncode, done.stdout + done.stderr, self.env(),
                    self.folder)

    def _start(self, line: str) -> Step:
        port = re.search(r"--port (\d+)", line)
        assert port, f"a background README command without --port: {line}"
        log = self.folder / f".server-{port.group(1)}.log"
        self.stack.enter_context(background(
            f". {self.state}; exec {line} > {log} 2>&1", url=f"http://127.0.0.1:{port.group(1)}/",
            cwd=self.folder))
        return Step(line, 0, log.read_text(), self.env(), self.folder)

    def env(self) -> dict[str, str]:
        done = subprocess.run(["bash", "-c", f". {self.state}; env -0"], capture_output=True,
                              text=True, timeout=30, check=True)
        return dict(item.split("=", 1) for item in done.stdout.split("\0") if "=" in item)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


# Each README command (matched by a pattern) and what must hold after it ran.
Check = Callable[[Step, "Shell"], None]
CHECKS: list[tuple[str, Check]] = []


def check(pattern: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS.append((pattern, function))
        return function
    return register


def _ok(step: Step) -> None:
    assert step.returncode == 0, f"{step.command}\n{step.output[-3000:]}"


@check(r"^export ")
def exported(step: Step, shell: Shell) -> None:
    _ok(step)
    for name in re.findall(r"(CUSTOMS_\w+)=", step.command):
        assert name in step.env, name


@check(r"customs db upgrade")
def upgraded(step: Step, shell: Shell) -> None:
    _ok(step)
    assert (step.folder / "customs.db").is_file()


@check(r"^(KEY|OFFICER|COURIER|OPERATOR)=\$\(customs api-key create")
def key_created(step: Step, shell: Shell) -> None:
    _ok(step)
    name = step.command.split("=", 1)[0]
    assert re.fullmatch(r"\S{20,}", step.env[name]), f"{name} is not one key: {step.env[name]!r}"


@check(r"customs keys generate")
def keys_written(step: Step, shell: Shell) -> None:
    _ok(step)
    assert (step.folder / "keys" / "key.pem").stat().st_mode & 0o077 == 0
    assert (step.folder / "keys" / "cert.pem").is_file()


@check(r"customs authority-sim .*&")
def simulator_up(step: Step, shell: Shell) -> None:
    assert "its certificate (give it to the service)" in step.output, step.output
    assert (step.folder / "authority-sim-keys" / "cert.pem").is_file()


@check(r"customs serve .*&")
def service_up(step: Step, shell: Shell) -> None:
    health = _curl(shell, f"http://127.0.0.1:{shell.ports['service']}/health")
    assert health["status"] in ("ok", "warning"), health


@check(r"customs sample-manifest .*--format json \| gzip > m\.json\.gz")
def json_manifest_written(step: Step, shell: Shell) -> None:
    import gzip

    _ok(step)
    document = json.loads(gzip.decompress((step.folder / "m.json.gz").read_bytes()))
    assert len(document["parcels"]) == 100


@check(r"customs sample-manifest .*--out m\.xml")
def manifest_written(step: Step, shell: Shell) -> None:
    _ok(step)
    assert (step.folder / "m.xml").read_bytes().count(b"<Parcel>") == 100


@check(r"customs validate m\.xml --format json")
def validated_offline(step: Step, shell: Shell) -> None:
    assert step.returncode == 1, step.output  # some parcels are invalid by design
    report = step.json()
    assert report["accepted"] > 0 and report["rejected"] > 0  # type: ignore[index]


@check(r"curl -s -X POST \S+/v1/manifests .*--data-binary @m\.(xml|json\.gz)")
def manifest_accepted(step: Step, shell: Shell) -> None:
    _ok(step)
    receipt = step.json()
    assert receipt["parcels"] == 100 and receipt["accepted"] > 80, receipt  # type: ignore[index]


@check(r"^(TN|HELD)=\$\(curl")
def tracking_number_found(step: Step, shell: Shell) -> None:
    _ok(step)
    assert re.fullmatch(r"[A-Z0-9-]{8,}", step.env[step.command[:step.command.index("=")]])


@check(r"/declaration -o declaration\.xml")
def declaration_saved(step: Step, shell: Shell) -> None:
    _ok(step)
    document = (step.folder / "declaration.xml").read_bytes()
    assert b"<ds:SignatureValue>" in document or b"SignatureValue" in document, document[:300]


@check(r"customs verify declaration\.xml")
def declaration_verified(step: Step, shell: Shell) -> None:
    _ok(step)


@check(r"customs worker --once")
def batches_submitted(step: Step, shell: Shell) -> None:
    _ok(step)
    assert re.search(r"submitted [1-9]", step.output), step.output


@check(r"^customs batch list\s*(#.*)?$")
def batches_listed(step: Step, shell: Shell) -> None:
    _ok(step)
    assert "ACKNOWLEDGED" in step.output, step.output


@check(r"/v1/stats")
def decisions_arrived(step: Step, shell: Shell) -> None:
    """The simulator round trip: the authority's decisions pushed back to the service (the user
    runs the command again a moment later; so does this check, for at most a minute)."""
    _ok(step)
    deadline = time.monotonic() + 60
    while True:
        counts = shell.run(step.command).json()["by_status"]  # type: ignore[index]
        if "SUBMITTED" not in counts or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert "SUBMITTED" not in counts, counts
    assert counts.get("HELD") and counts.get("RELEASED"), counts


@check(r"--status TRANSMISSION_FAILED --format ids \| xargs")
def failed_batches_retried(step: Step, shell: Shell) -> None:
    _ok(step)


@check(r"customs quarantine list")
def quarantine_listed(step: Step, shell: Shell) -> None:
    _ok(step)  # the round trip above set nothing aside
    assert "no quarantined messages" in step.output, step.output


@check(r"v1/parcels\?status=HELD&q=")
def officer_search(step: Step, shell: Shell) -> None:
    _ok(step)
    assert all(p["status"] == "HELD" for p in step.json()["items"])  # type: ignore[index]


@check(r"/decisions\s*$")
def officer_released(step: Step, shell: Shell) -> None:
    _ok(step)
    assert step.json()["status"] == "RELEASED", step.output  # type: ignore[index]


@check(r"/v1/feed")
def courier_feed(step: Step, shell: Shell) -> None:
    _ok(step)
    page = step.json()
    assert page["items"] and page["next_cursor"], page  # type: ignore[index]
    assert {i["tracking_number"][:5] for i in page["items"]} == {"CDEK-"}  # type: ignore[index]


@check(r"/v1/webhooks\s*$")
def webhook_registered(step: Step, shell: Shell) -> None:
    _ok(step)
    assert step.json()["secret"], step.output  # type: ignore[index]


@check(r"^python3 examples/marketplace_integration\.py ")
def example_integration(step: Step, shell: Shell) -> None:
    _ok(step)
    assert re.search(r"^XML manifest \S+: 3 accepted, 0 rejected", step.output, re.M), step.output
    assert re.search(r"^quote: [A-Z_]+, duty ", step.output, re.M), step.output
    assert len(re.findall(r"^parcel pcl_\w+ \S+: [A-Z_]+$", step.output, re.M)) == 3


def _curl(shell: Shell, url: str) -> dict:  # type: ignore[type-arg]
    import requests

    return requests.get(url, timeout=30).json()  # type: ignore[no-any-return]


def _check_for(command: str) -> Check:
    found = [c for pattern, c in CHECKS if re.search(pattern, command)]
    assert len(found) == 1, f"README command with {len(found)} checks in {__file__}: {command}"
    return found[0]


@pytest.fixture
def shell(tmp_path) -> Iterator[Shell]:  # type: ignore[no-untyped-def]
    ports = {name: free_port() for name in README_PORTS.values()}
    (tmp_path / "examples").symlink_to(ROOT / "examples")  # commands run "from the checkout"
    with ExitStack() as stack:
        yield Shell(tmp_path, ports, stack)


def test_readme_has_the_commands_this_test_runs():
    commands = readme_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(commands) >= 20
    for command in commands:
        _check_for(command)


def test_every_readme_command_works_as_written(shell):
    for command in readme_commands((ROOT / "README.md").read_text(encoding="utf-8")):
        step = shell.run(command)
        _check_for(command)(step, shell)


def test_the_readmes_demo_serve_keeps_the_console_up_until_stopped(tmp_path):
    """`customs demo --serve --port 8000` as the README shows it (a free port instead, three
    parcels a manifest): it prints the console's address and two sign-ins that work, keeps
    serving after the demo, and stops cleanly on SIGTERM (as Ctrl-C would)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"^(customs demo --serve[^#\n]*?)\s*(#.*)?$", readme, re.M).group(1)
    port = free_port()
    line = command.replace("8000", str(port)) + " --parcels 3 --workdir demo"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMS_")}
    env.update(PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}",
               PYTHONPATH=str(ROOT))
    log = tmp_path / "demo.log"
    with log.open("w") as out:
        process = subprocess.Popen(["bash", "-c", f"exec {line}"], cwd=tmp_path, env=env,
                                   stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while "Ctrl-C" not in log.read_text() and process.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.5)
        output = log.read_text()
        assert "Ctrl-C" in output, output[-3000:]
        assert f"web console: http://127.0.0.1:{port}/console/" in output
        people = dict(re.findall(r"^  (?:officer|marketplace)\s+(\S+@\S+)\s+password (\S+)$",
                                 output, re.M))
        assert len(people) == 2, output[-2000:]
        for email, password in people.items():
            _console_sign_in(f"http://127.0.0.1:{port}", email, password)
        os.killpg(process.pid, signal.SIGTERM)
        assert process.wait(timeout=60) == 0, log.read_text()[-3000:]
        assert "stopping" in log.read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


def _console_sign_in(base: str, email: str, password: str) -> None:
    """Sign in as the form does (its CSRF token, the session cookie) and open the home page."""
    import requests

    browser = requests.Session()
    page = browser.get(f"{base}/console/sign-in", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    signed = browser.post(f"{base}/console/sign-in", timeout=30, allow_redirects=False,
                          data={"csrf_token": token, "email": email, "password": password})
    assert signed.status_code == 302, signed.text[-1000:]
    home = browser.get(f"{base}/console/", timeout=30)
    assert home.status_code == 200 and email in home.text
