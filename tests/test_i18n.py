"""Languages: English, Bahasa Indonesia, Thai and Simplified Chinese; nothing untranslated."""

import re
import time
from pathlib import Path

import pytest
from babel.dates import format_skeleton
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from helpers import upload_video, wait_for_event, wait_for_status
from test_browser import browser, phone_page, wait_js  # noqa: F401

from contest.i18n import LANGUAGES, from_accept_language

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "contest" / "translations"
HEADLINE = {
    "en": "Show your skills. The fans are the jury.",
    "id": "Tunjukkan keterampilanmu. Penggemar adalah jurinya.",
    "th": "โชว์ทักษะของคุณ แฟนๆ คือกรรมการ",
    "zh-Hans": "秀出你的技巧，球迷就是评委。",
}


def page_language(response):
    html = response.get_data(as_text=True)
    return re.search(r'<html lang="([^"]+)"', html).group(1), html


@pytest.mark.parametrize(
    "header, lang",
    [
        ("th-TH,th;q=0.9,en;q=0.5", "th"),
        ("id-ID,id;q=0.9", "id"),
        ("zh-CN,zh;q=0.9", "zh-Hans"),
        ("zh-Hans-SG", "zh-Hans"),
        ("zh-TW,zh-Hant;q=0.9", "en"),  # Traditional Chinese is not offered: English
        ("fr-FR,de;q=0.8", "en"),
        ("", "en"),
    ],
)
def test_the_browser_language_picks_the_page_language(client, header, lang):
    got, html = page_language(client.get("/", headers={"Accept-Language": header}))
    assert got == lang
    assert HEADLINE[lang] in html


def test_accept_language_order_and_aliases():
    assert from_accept_language([("de", 1), ("th", 0.8), ("id", 0.5)]) == "th"
    assert from_accept_language([("in", 1)]) == "id"  # the old code for Indonesian
    assert from_accept_language([("zh-hk", 1), ("en-GB", 0.5)]) == "en"


def test_a_fans_choice_beats_the_browser_and_follows_them(api, make_user, client):
    make_user("ana")
    api.login("ana")
    answer = api.patch("/api/v1/me", {"language": "th"})
    assert answer.status_code == 200
    assert api.get("/api/v1/me").get_json()["language"] == "th"
    assert page_language(client.get("/", headers={"Accept-Language": "id"}))[0] == "th"
    wrong = api.patch("/api/v1/me", {"language": "klingon"})
    assert wrong.status_code == 422
    assert wrong.get_json()["error"]["code"] == "invalid_language"
    assert api.get("/api/v1/me").get_json()["language"] == "th"  # nothing changed
    assert api.patch("/api/v1/me", {"language": ""}).status_code == 200  # back to the browser
    assert page_language(client.get("/", headers={"Accept-Language": "id"}))[0] == "id"


def test_the_picker_sets_a_cookie_and_the_account_language(app, client, api, make_user, make_round):
    token = api.token()
    make_round("open")
    refused = client.post("/language", data={"lang": "id", "next": "/hall-of-fame"})
    assert refused.status_code == 403  # no CSRF token
    chosen = client.post(
        "/language", data={"lang": "zh_Hans", "next": "/hall-of-fame", "csrf_token": token}
    )
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/hall-of-fame"
    assert "lang=zh_Hans" in chosen.headers["Set-Cookie"]
    assert "HttpOnly" in chosen.headers["Set-Cookie"]
    lang, html = page_language(client.get("/", headers={"Accept-Language": "th"}))
    assert lang == "zh-Hans" and 'value="zh_Hans" lang="zh-Hans" selected' in html
    away = client.post(
        "/language", data={"lang": "en", "next": "//evil.example", "csrf_token": token}
    )
    assert away.headers["Location"] == "/"  # never sent to another site
    bad = client.post("/language", data={"lang": "xx", "csrf_token": token})
    assert bad.status_code == 422 and "language must be one of" in bad.get_data(as_text=True)
    make_user("bo_b")
    api.login("bo_b")
    api._token = None  # signing in starts a new session: a new token
    assert api.post("/language", data={"lang": "id"}).status_code == 302
    assert api.get("/api/v1/me").get_json()["language"] == "id"


def test_dates_are_written_the_way_each_language_writes_them(
    client, make_round, make_user, make_entry, app
):
    """Round and entry pages in the reader's zone (the tz cookie) and language, by Babel."""
    round_ = make_round("open")
    entry = make_entry(round_.id, make_user("ana").id)
    with app.app_context():
        from contest.extensions import db
        from contest.models import Entry, Round

        closes = db.session.get(Round, round_.id).submissions_close_at
        uploaded = db.session.get(Entry, entry.id).created_at
    client.set_cookie("tz", "Asia/Bangkok")
    zone = "Asia/Bangkok"
    for header, locale, zone_name in (
        ("th", "th", "เวลาไทย"),
        ("zh-CN", "zh_Hans", "泰国时间"),
        ("id", "id", "Waktu Thailand"),
        ("en", "en", "Thailand Time"),
    ):
        html = client.get(f"/rounds/{round_.slug}", headers={"Accept-Language": header}).text
        day = format_skeleton("MMMd", closes, tzinfo=zone, locale=locale)
        time = format_skeleton("Hm", closes, tzinfo=zone, locale=locale)
        assert day in html and time in html and f"({zone_name})" in html, locale
        page = client.get(f"/entries/{entry.id}", headers={"Accept-Language": header}).text
        assert format_skeleton("MMMd", uploaded, tzinfo=zone, locale=locale) in page, locale
        if locale == "zh_Hans":  # 12月21日, never "21 12月" or "7 十二月"
            assert re.search(r"\d{1,2}月\d{1,2}日", html) and re.search(r"\d{1,2}月\d{1,2}日", page)
            assert not re.search(r"\d \d{1,2}月|\d [一二三四五六七八九十]+月", html + page)
    client.set_cookie("tz", "Not/AZone")  # an unknown zone reads as UTC, never an error
    html = client.get(f"/rounds/{round_.slug}", headers={"Accept-Language": "en"}).text
    assert "(UTC)" in html


def test_months_are_named(app):
    from contest.dates import month_name

    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert month_name("2027-01") == "2027年1月"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert month_name("2027-01") == "January 2027" and month_name("junk") == "junk"


def as_tuple(value):
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def test_every_message_has_a_translation_in_every_language():
    method_map = [("contest/**.py", "python"), ("contest/templates/**.html", "jinja2")]
    extracted = list(
        extract_from_dir(
            str(ROOT),
            method_map,
            keywords={"_": None, "_l": None, "Text": None, "gettext": None, "ngettext": (1, 2)},
        )
    )
    found = {m if isinstance(m, str) else m[0] for _file, _line, m, *_ in extracted}
    singular = {m for _file, _line, m, *_ in extracted if isinstance(m, str)}
    assert found, "no messages found: is the extraction set up?"
    problems = []
    for locale in LANGUAGES:
        if locale == "en":
            continue
        po_path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
        with open(po_path, "rb") as f:
            catalog = read_po(f)
        with open(po_path.with_suffix(".mo"), "rb") as f:
            compiled = read_mo(f)
        for msgid in sorted(found):
            message = catalog.get(msgid)
            forms = (
                message.string
                if message and isinstance(message.string, tuple)
                else ([message.string] if message else [])
            )
            if not forms or not all(forms) or message.fuzzy:
                problems.append(f"{locale}: no translation for {msgid!r}")
                continue
            if msgid in singular and not isinstance(message.id, str):
                # gettext() never finds a message the catalog holds only in plural form
                problems.append(f"{locale}: {msgid!r} is used alone and as a plural")
            wanted = set(re.findall(r"%\(\w+\)[sd]", msgid))
            if any(set(re.findall(r"%\(\w+\)[sd]", form)) != wanted for form in forms):
                problems.append(f"{locale}: placeholders differ in {msgid!r}")
            stored = compiled.get(msgid)
            if stored is None or as_tuple(stored.string) != as_tuple(message.string):
                problems.append(f"{locale}: messages.mo is stale for {msgid!r} (pybabel compile)")
    assert problems == []


def test_page_scripts_speak_the_readers_language(
    browser,  # noqa: F811
    start_server,
    make_user,
    make_round,
    app,
):
    from datetime import timedelta

    from contest.extensions import db
    from contest.models import Round, utcnow

    server = start_server()
    make_user("ana")
    round_id = make_round("open").id
    with app.app_context():  # uploads close in two days and a bit: the countdown shows days
        db.session.get(Round, round_id).submissions_close_at = utcnow() + timedelta(hours=50)
        db.session.commit()
    context = browser.new_context(**browser.phone, base_url=server.url, locale="th-TH")
    page = context.new_page()
    page.goto("/login")
    assert page.locator("h1").inner_text() == "เข้าสู่ระบบ"
    page.fill("#login", "ana")
    page.fill("#password", "correct horse")
    page.click("main button[type=submit]")
    page.wait_for_url(server.url + "/")
    countdowns = wait_js(
        page,
        "Array.from(document.querySelectorAll('time[data-countdown]')).map(t => t.textContent)"
        ".filter(t => /^\\d/.test(t))",
    )
    assert any(re.fullmatch(r"\d+ วัน \d\d:\d\d:\d\d", t) for t in countdowns), countdowns
    page.goto("/upload")
    page.fill("#title", "Rabona")
    page.click("#upload-button")  # no file chosen: the script says so, in Thai
    assert page.inner_text("#upload-error") == "เลือกวิดีโอก่อน"
    # a text file dressed as a video: the job rejects it (in English, it has no reader), and
    # the page shows the reason in Thai, whether the push or the poll tells it first
    page.set_input_files(
        "#file", {"name": "clip.mp4", "mimeType": "video/mp4", "buffer": b"just text\n" * 400}
    )

    def slow_entry_reads(route):  # the push arrives before any read of the entry answers
        time.sleep(1.5)
        route.continue_()

    page.route("**/api/v1/entries/*", slow_entry_reads)
    page.click("#upload-button")
    said = wait_js(
        page,
        "(t => t.includes('ไม่') && t !== 'เลือกวิดีโอก่อน' && t)"
        "(document.querySelector('#upload-error').textContent)",
        timeout=30_000,
    )
    assert "ไฟล์นี้ไม่ใช่วิดีโอที่เราอ่านได้" in said
    context.close()


def test_mails_go_out_in_the_fans_language(app, make_user, caplog):
    import logging

    from contest import links
    from contest.accounts import users as accounts
    from contest.extensions import db
    from contest.models import User

    make_user("somchai", verified=False)
    with app.app_context():  # as a job or a command: no request
        user = db.session.scalar(db.select(User).where(User.username == "somchai"))
        user.language = "th"
        db.session.commit()
        with caplog.at_level(logging.INFO, logger="contest.mail"):
            accounts.send_verification(user, links.verification_link(user))
    mail = "\n".join(r.getMessage() for r in caplog.records if "mail to" in r.getMessage())
    assert "ยืนยันอีเมลของคุณสำหรับ Ginga" in mail and "/verify/" in mail


def test_a_refused_rating_is_explained_in_the_fans_language(api, make_user, make_round, make_entry):
    author = make_user("ana")
    make_user("bob")
    entry = make_entry(make_round("closed").id, author.id)
    api.login("bob")
    refused = api.put(
        f"/api/v1/entries/{entry.id}/rating",
        {"stars": 4},
        headers={"Accept-Language": "th"},
    )  # refused by the rating writer thread, explained by the fan's own request
    assert refused.status_code == 409
    assert _without_id(refused.get_json()["error"]) == {
        "code": "voting_closed",
        "message": "รอบนี้ไม่ได้เปิดโหวตอยู่",
    }
    english = api.put(f"/api/v1/entries/{entry.id}/rating", {"stars": 4})
    assert english.get_json()["error"]["message"] == "Voting is not open for this round."


def _expected(app, locale, msgid, **params):
    """msgid with params as the catalog says it in locale (it must differ from English)."""
    from flask_babel import force_locale

    from contest.texts import Text

    with app.test_request_context(), force_locale(locale):
        said = str(Text(msgid, **params))
    with app.test_request_context():
        assert said != Text(msgid, **params).english(), f"{msgid!r} is not translated ({locale})"
    return said


def _without_id(error):
    """An error answer without its request id (a new one for every request)."""
    assert len(error.pop("request_id")) >= 8
    return error


@pytest.mark.parametrize("locale, header", [("th", "th"), ("id", "id-ID"), ("zh_Hans", "zh-CN")])
def test_api_errors_from_every_corner_speak_the_callers_language(
    app, api, make_user, make_round, locale, header
):
    make_user("ana")
    round_ = make_round("open")
    api.login("ana")
    said = {"Accept-Language": header}
    sort = api.get(f"/api/v1/rounds/{round_.id}/entries?sort=bogus", headers=said)
    sorts = "shuffle, top, new, most_rated, needs_votes"
    assert sort.status_code == 422
    assert _without_id(sort.get_json()["error"]) == {
        "code": "invalid_sort",
        "message": _expected(app, locale, "sort must be one of %(sorts)s.", sorts=sorts),
    }
    huge = api.post(
        "/api/v1/uploads",
        {
            "round_id": round_.id,
            "title": "Big",
            "filename": "big.mp4",
            "size": 12_345 * 1024 * 1024,
            "content_type": "video/mp4",
        },
        headers=said,
    )
    message = huge.get_json()["error"]["message"]
    assert huge.status_code == 413
    assert message == _expected(
        app, locale, "The file is %(size)s MB; the limit is %(limit)s MB.", size=12345, limit=500
    )
    assert ("12.345" if locale == "id" else "12,345") in message  # numbers the locale's way
    follow = api.post("/api/v1/users/ana/follow", headers=said)
    assert follow.status_code == 409
    assert follow.get_json()["error"]["message"] == _expected(
        app, locale, "You cannot follow yourself."
    )
    nowhere = api.get("/api/v1/no-such-thing", headers=said)
    assert nowhere.status_code == 404
    assert nowhere.get_json()["error"]["message"] == _expected(
        app, locale, "That page does not exist."
    )
    profile = api.patch("/api/v1/me", {"shoe_size": "44"}, headers=said)
    assert profile.get_json()["error"]["message"] == _expected(
        app, locale, "%(field)s is not a profile field.", field="shoe_size"
    )
    assert api.get("/api/v1/me").status_code == 200  # nothing was lost by the refusals


def test_a_rejection_is_stored_once_and_read_in_each_readers_language(
    app, new_api, make_user, make_round, tmp_path
):
    from contest.extensions import db
    from contest.models import Entry, Notification

    make_user("ana")
    ana = new_api("ana")
    path = tmp_path / "skills.mp4"
    path.write_bytes(b"just some text\n" * 500)
    entry_id = upload_video(ana, make_round("open").id, path, title="Rabona")
    assert wait_for_status(ana, entry_id)["status"] == "rejected"
    reasons = {
        header: ana.get(f"/api/v1/entries/{entry_id}", headers={"Accept-Language": header})
        for header in ("en", "th", "zh-CN")
    }
    assert reasons["en"].get_json()["status_reason"] == "This file is not a video we can read."
    assert reasons["th"].get_json()["status_reason"] == "ไฟล์นี้ไม่ใช่วิดีโอที่เราอ่านได้"
    assert reasons["zh-CN"].get_json()["status_reason"] == "该文件不是我们能读取的视频。"
    note = ana.get("/api/v1/notifications", headers={"Accept-Language": "id"}).get_json()
    # the sentence and the reason inside it are both in the reader's language
    assert note["notifications"][0]["text"] == (
        "Entrimu Rabona tidak diterima: File ini bukan video yang bisa kami baca."
    )
    page = ana.get(f"/entries/{entry_id}", headers={"Accept-Language": "th"}).data.decode()
    assert "ไฟล์นี้ไม่ใช่วิดีโอที่เราอ่านได้" in page
    with app.app_context():  # the database keeps English for people reading it directly
        assert db.session.get(Entry, entry_id).status_reason == (
            "This file is not a video we can read."
        )
        stored = db.session.scalar(db.select(Notification))
        assert (
            stored.text
            == "Your entry Rabona was not accepted: This file is not a video we can read."
        )


def test_notifications_reach_each_fan_in_their_own_language(
    app, new_api, make_user, socket_client, caplog
):
    import logging

    from contest.community import notifications
    from contest.extensions import db
    from contest.models import User

    make_user("somchai")
    make_user("budi")
    with app.app_context():
        db.session.scalar(db.select(User).where(User.username == "somchai")).language = "th"
        db.session.commit()
    somchai, budi = new_api("somchai"), new_api("budi")
    bell = socket_client(somchai.client)
    budi_bell = socket_client(budi.client)
    indonesian = {"Accept-Language": "id"}
    assert budi.post("/api/v1/users/somchai/follow", headers=indonesian).status_code == 200
    pushed = wait_for_event(bell, "notification")
    assert pushed["text"] == "budi ติดตามคุณแล้ว"  # Somchai's language, not Budi's
    # Budi chose no language: a push caused by someone else's (Thai) request is in English
    assert somchai.post("/api/v1/users/budi/follow").status_code == 200
    assert wait_for_event(budi_bell, "notification")["text"] == "somchai now follows you."
    listed = budi.get("/api/v1/notifications", headers=indonesian).get_json()
    assert listed["notifications"][0]["text"] == "somchai sekarang mengikutimu."
    assert somchai.patch("/api/v1/me", {"language": "zh_Hans"}).status_code == 200
    assert somchai.get("/api/v1/notifications").get_json()["notifications"][0]["text"] == (
        "budi 关注了你。"
    )
    assert "budi 关注了你。" in somchai.client.get("/notifications").data.decode()
    somchai.put("/api/v1/notifications/settings", {"follow": "digest"})
    budi.delete("/api/v1/users/somchai/follow")
    budi.post("/api/v1/users/somchai/follow")
    caplog.set_level(logging.INFO, logger="contest.mail")
    with app.app_context():
        assert notifications.send_digests() == 1
    mail = "\n".join(r.getMessage() for r in caplog.records if "mail to" in r.getMessage())
    assert "- budi 关注了你。" in mail


def test_stored_texts_round_trip_and_odd_rows_never_break_a_page(app):
    import json

    from flask_babel import force_locale
    from flask_babel import lazy_gettext as _l

    from contest.models import Notification
    from contest.texts import Text

    with app.test_request_context():
        said = Text(
            "Your entry %(title)s was not accepted: %(reason)s",
            title="Rabona",
            reason=_l("This file is not a video we can read."),
        )
        back = Text.from_json(json.loads(json.dumps(said.to_json())))
        with force_locale("th"):
            assert str(back) == "ผลงาน Rabona ของคุณไม่ผ่าน: ไฟล์นี้ไม่ใช่วิดีโอที่เราอ่านได้"
        assert back.english() == (
            "Your entry Rabona was not accepted: This file is not a video we can read."
        )
        assert Text.from_json(None) is None and Text.from_json({"text": "?"}) is None
        lost = Text.from_json({"msgid": "Your entry %(title)s is live.", "params": {"x": 1}})
        assert str(lost) == "Your entry %(title)s is live."  # shown, never a 500
        older = Notification(text="Written before texts were stored.", message=None)
        assert older.display_text == "Written before texts were stored."


def test_an_entry_page_describes_the_clip_in_the_readers_language(
    client, make_user, make_round, make_entry
):
    author = make_user("budi")
    entry = make_entry(make_round("open", title="Desember").id, author.id, title="Elastico")
    html = client.get(f"/entries/{entry.id}", headers={"Accept-Language": "th"}).data.decode()
    assert '<meta name="description" content="Elastico โดย budi ใน Desember บน Ginga">' in html
    assert 'content="ทักษะของ budi ใน Desember"' in html  # the share preview
    assert 'aria-label="Elastico คลิปของ budi"' in html  # the player's accessible name


def test_live_numbers_are_written_the_readers_way(
    browser,  # noqa: F811
    start_server,
    make_user,
    make_round,
    make_entry,
):
    server = start_server()
    author = make_user("ana")
    make_user("bob")
    entry = make_entry(make_round("open").id, author.id, title="Rabona")
    budi = phone_page(browser, server, locale="id-ID")  # an Indonesian visitor watching
    budi.goto(f"/entries/{entry.id}")
    bob = phone_page(browser, server, "bob")
    bob.goto(f"/entries/{entry.id}")
    bob.click("label[for=star-4]")
    wait_js(bob, "document.getElementById('rate-message').textContent.startsWith('You gave 4')")
    assert bob.inner_text(".rating-summary [data-field=average]") == "4.0"
    average = wait_js(
        budi,
        "(n => n && n.textContent !== '0,0' && n.textContent)"
        "(document.querySelector('.rating-summary [data-field=average]'))",
    )
    assert average == "4,0"  # a decimal comma, as the server writes it for Bahasa Indonesia
    label = budi.get_attribute("#histogram", "aria-label")
    assert (
        label == "Penilaian: 1 bintang: 0, 2 bintang: 0, 3 bintang: 0, 4 bintang: 1, 5 bintang: 0"
    )
    budi.reload()  # the server writes the same
    assert budi.inner_text(".rating-summary [data-field=average]") == "4,0"
    assert budi.get_attribute("#histogram", "aria-label") == label
    budi.context.close()


def test_the_bell_speaks_the_readers_language_when_a_notification_arrives(
    browser,  # noqa: F811
    start_server,
    make_user,
):
    server = start_server()
    make_user("somchai")
    make_user("bob")
    somchai = phone_page(browser, server, "somchai", locale="th-TH")
    wait_js(somchai, "window.gingaSocket && window.gingaSocket.connected")
    bob = phone_page(browser, server, "bob")
    bob.goto("/u/somchai")
    bob.click("#follow")
    label = wait_js(
        somchai,
        "(l => l.includes('1') && l)(document.querySelector('a.bell').getAttribute('aria-label'))",
    )
    assert label == "การแจ้งเตือน ยังไม่ได้อ่าน 1 รายการ"
    assert somchai.inner_text("#unread") == "1"
    somchai.context.close()
