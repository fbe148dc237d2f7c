"""The console's catalogs: every string of its code and templates is translated to Russian,
the compiled .mo files (committed, so a clean clone needs no step) match their .po sources,
and a page follows the person's language, the switch, and the locale's number forms."""

from __future__ import annotations

import io
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from api import create_app

CONSOLE = Path(__file__).resolve().parents[2] / "api" / "console"
CATALOGS = CONSOLE / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def catalog(lang: str):  # type: ignore[no-untyped-def]
    with open(CATALOGS / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=lang)


def source_strings() -> set[str]:
    method_map, options_map = parse_mapping_cfg(io.StringIO((CONSOLE / "babel.cfg").read_text()))
    return {m[2] if isinstance(m[2], str) else m[2][0]
            for m in extract_from_dir(str(CONSOLE), method_map, options_map, keywords=KEYWORDS)}


def test_every_console_string_has_its_russian_translation() -> None:
    ru = catalog("ru")
    missing = sorted(s for s in source_strings() if not (ru.get(s) and ru.get(s).string))
    assert missing == [], "run scripts/console_i18n.sh and translate these in ru/messages.po"
    assert not [m.id for m in ru if m.id and m.fuzzy]


def test_the_compiled_catalogs_match_their_sources() -> None:
    for lang in ("ru", "en"):
        compiled = io.BytesIO()
        write_mo(compiled, catalog(lang))
        committed = (CATALOGS / lang / "LC_MESSAGES" / "messages.mo").read_bytes()
        assert compiled.getvalue() == committed, f"{lang}: run scripts/console_i18n.sh compile"


def test_the_page_follows_the_browser_then_the_switch_then_the_person(customs) -> None:
    client = create_app(customs=customs).test_client()
    english = client.get("/console/sign-in", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.text and ">Sign in</button>" in english.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', english.text).group(1)
    client.post("/console/language", data={"locale": "ru", "csrf_token": token,
                                           "next": "/console/sign-in"})
    russian = client.get("/console/sign-in", headers={"Accept-Language": "en"})
    assert '<html lang="ru">' in russian.text and ">Войти</button>" in russian.text
    customs.accounts.create_user("en@customs.example", "officer", offices=["10005020"],
                                 password="correct horse battery", locale="en")
    client.post("/console/sign-in", data={"email": "en@customs.example",
                                          "password": "correct horse battery",
                                          "csrf_token": token})
    assert "Your account" in client.get("/console/account").text  # the person's own
