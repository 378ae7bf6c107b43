"""STORAGE=s3 against a real SeaweedFS: presigned multipart uploads straight to the bucket."""

import json
import uuid

import av
import pytest
import requests
import sqlalchemy as sa
from helpers import make_video, wait_for, wait_for_status
from seaweed import ACCESS_KEY, SECRET_KEY

from contest.extensions import db
from contest.models import Entry

MiB = 1024 * 1024
SITE = "http://127.0.0.1:5000"


@pytest.fixture
def config_overrides(seaweed, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    return {
        "STORAGE": "s3",
        "S3_BUCKET": f"ginga-{uuid.uuid4().hex[:10]}",
        "S3_ENDPOINT_URL": seaweed.url,
        "SITE_URL": SITE,
        "UPLOAD_PART_SIZE": 5 * MiB,
        "MAX_CONTENT_LENGTH": 1 * MiB,
    }


@pytest.fixture
def bucket(app, runner, config_overrides, seaweed):
    result = runner.invoke(args=["storage", "setup"])
    assert result.exit_code == 0, result.output
    assert "created bucket" in result.output and "ETag exposed" in result.output
    return config_overrides["S3_BUCKET"]


@pytest.fixture
def fan(make_user, new_api, bucket):
    make_user("ana")
    return new_api("ana")


def start(api, round_id, path, **extra):
    body = {
        "round_id": round_id,
        "title": "Bucket skill",
        "filename": path.name,
        "size": path.stat().st_size,
        "content_type": "video/quicktime" if path.suffix == ".mov" else "video/mp4",
        **extra,
    }
    return api.post("/api/v1/uploads", body)


def put_parts(started, data, session=requests):
    etags = []
    size = started["part_size"]
    for part in started["parts"]:
        n = part["number"]
        r = session.put(part["url"], data=data[(n - 1) * size : n * size], timeout=30)
        assert r.status_code == 200, r.text
        etags.append({"number": n, "etag": r.headers["ETag"].strip('"')})
    return etags


def keys_in(seaweed, bucket):
    answer = seaweed.client().list_objects_v2(Bucket=bucket)
    return sorted(o["Key"] for o in answer.get("Contents", []))


def test_bucket_cors_lets_the_site_put_parts_and_read_etags(bucket, seaweed):
    url = f"{seaweed.url}/{bucket}/any/key"
    ours = requests.options(url, headers={"Origin": SITE, "Access-Control-Request-Method": "PUT"})
    assert ours.status_code == 200
    assert ours.headers["Access-Control-Allow-Origin"] == SITE
    assert "ETag" in ours.headers["Access-Control-Expose-Headers"]
    theirs = requests.options(
        url, headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "PUT"}
    )
    assert theirs.headers.get("Access-Control-Allow-Origin") != "http://evil.example"
    rules = seaweed.client().get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rules[0]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1


def test_hevc_mov_rotated_becomes_an_upright_h264_rendition(
    fan, make_round, tmp_path, app, seaweed, bucket
):
    round_ = make_round("open")
    mov = tmp_path / "IMG_0042.mov"
    from contest.entries import clips

    clips.write_clip(
        mov, seconds=2, width=320, height=180, codec="libx265", rotation=90, container_options={}
    )
    started = start(fan, round_.id, mov).get_json()
    assert started["parts"][0]["url"].startswith(seaweed.url)
    etags = put_parts(started, mov.read_bytes())
    done = fan.post(f"/api/v1/uploads/{started['upload_id']}/complete", {"parts": etags})
    assert done.status_code == 202
    entry = wait_for_status(fan, started["entry_id"])
    assert entry["status"] == "live", entry
    assert (entry["width"], entry["height"]) == (180, 320)
    rendition = tmp_path / "playback.mp4"
    rendition.write_bytes(requests.get(entry["video_url"], timeout=10).content)
    with av.open(str(rendition)) as container:
        assert container.metadata.get("major_brand") == "isom"
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert [a.codec_context.name for a in container.streams.audio] == ["aac"]
        frame = list(container.decode(stream))[10]
        image = frame.to_image()
    assert image.size == (180, 320) and not frame.rotation
    r, g, b = image.getpixel((6, image.height - 6))  # the top-left flag, turned upright
    assert r > 200 and g > 180 and b < 80
    with app.app_context():
        row = db.session.get(Entry, entry["id"])
        assert row.codec == "hevc" and row.playback_key.endswith("playback.mp4")
    assert len(keys_in(seaweed, bucket)) == 4  # original kept, poster, playback and small
    poster = requests.get(entry["poster_url"], timeout=10)
    assert poster.status_code == 200 and poster.content[:3] == b"\xff\xd8\xff"


def test_browser_safe_mp4_plays_as_uploaded(fan, make_round, tmp_path, app):
    round_ = make_round("open")
    video = make_video(tmp_path)
    started = start(fan, round_.id, video).get_json()
    etags = put_parts(started, video.read_bytes())
    fan.post(f"/api/v1/uploads/{started['upload_id']}/complete", {"parts": etags})
    entry = wait_for_status(fan, started["entry_id"])
    assert entry["status"] == "live"
    with app.app_context():
        assert db.session.get(Entry, entry["id"]).playback_key is None


def test_not_a_video_is_rejected_and_deleted(fan, make_round, tmp_path, seaweed, bucket):
    round_ = make_round("open")
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"not a video at all " * 1000)
    started = start(fan, round_.id, fake).get_json()
    etags = put_parts(started, fake.read_bytes())
    fan.post(f"/api/v1/uploads/{started['upload_id']}/complete", {"parts": etags})
    entry = wait_for_status(fan, started["entry_id"])
    assert entry["status"] == "rejected" and "not a video" in entry["status_reason"]
    assert keys_in(seaweed, bucket) == []


def test_object_larger_than_declared_is_rejected_and_deleted(
    fan, make_round, tmp_path, seaweed, bucket
):
    round_ = make_round("open")
    video = make_video(tmp_path)
    data = video.read_bytes()
    started = start(fan, round_.id, video).get_json()
    r = requests.put(started["parts"][0]["url"], data=data + b"\0" * 5000, timeout=30)
    assert r.status_code == 200
    done = fan.post(f"/api/v1/uploads/{started['upload_id']}/complete", {"parts": []})
    assert done.status_code == 202 and done.get_json()["status"] == "rejected"
    entry = fan.get(f"/api/v1/entries/{started['entry_id']}").get_json()
    assert "not the" in entry["status_reason"] and "announced" in entry["status_reason"]
    assert keys_in(seaweed, bucket) == []


def test_size_over_the_limit_is_refused_before_signing(fan, make_round, seaweed, bucket, app):
    app.config["MAX_VIDEO_BYTES"] = 10 * MiB
    round_ = make_round("open")
    response = fan.post(
        "/api/v1/uploads",
        {
            "round_id": round_.id,
            "title": "big",
            "filename": "big.mp4",
            "size": 11 * MiB,
            "content_type": "video/mp4",
        },
    )
    assert response.status_code == 413 and "url" not in json.dumps(response.get_json())
    assert seaweed.client().list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_storage_down_is_503_and_leaves_nothing_behind(app, make_user, new_api, make_round):
    make_user("ana")
    fan = new_api("ana")
    app.config["S3_ENDPOINT_URL"] = "http://127.0.0.1:9"  # nothing listens there
    from contest.entries import storage

    storage.init_app(app)
    response = fan.post(
        "/api/v1/uploads",
        {
            "round_id": make_round("open").id,
            "title": "t",
            "filename": "a.mp4",
            "size": 1000,
            "content_type": "video/mp4",
        },
    )
    assert response.status_code == 503
    body = response.get_json()["error"]
    assert body["code"] == "storage_unavailable" and "try again" in body["message"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Entry.id))) == 0


def test_cancel_aborts_and_send_again_keeps_the_entry(
    fan, make_round, tmp_path, seaweed, bucket, app
):
    round_ = make_round("open")
    video = make_video(tmp_path)
    started = start(fan, round_.id, video).get_json()
    assert len(seaweed.client().list_multipart_uploads(Bucket=bucket)["Uploads"]) == 1
    assert fan.delete(f"/api/v1/uploads/{started['upload_id']}").status_code == 204
    assert seaweed.client().list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert fan.get(f"/api/v1/entries/{started['entry_id']}").status_code == 404
    # a rejected entry gets a new file, same entry, title kept
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"nope" * 100)
    first = start(fan, round_.id, fake, title="Keep this title").get_json()
    put_parts(first, fake.read_bytes())
    fan.post(f"/api/v1/uploads/{first['upload_id']}/complete")
    assert wait_for_status(fan, first["entry_id"])["status"] == "rejected"
    again = start(fan, round_.id, video, entry_id=first["entry_id"]).get_json()
    assert again["entry_id"] == first["entry_id"]
    put_parts(again, video.read_bytes())
    fan.post(f"/api/v1/uploads/{again['upload_id']}/complete")
    entry = wait_for_status(fan, first["entry_id"])
    assert entry["status"] == "live" and entry["title"] == "Keep this title"


def test_parts_never_go_to_the_app_in_s3_mode(fan, make_round, tmp_path):
    round_ = make_round("open")
    video = make_video(tmp_path)
    started = start(fan, round_.id, video).get_json()
    local = fan.put(
        f"/api/v1/uploads/{started['upload_id']}/parts/1",
        data=b"x",
        content_type="application/octet-stream",
    )
    assert local.status_code == 409 and local.get_json()["error"]["code"] == "parts_go_to_storage"


def test_whole_flow_over_http_and_the_app_never_sees_video_bytes(
    start_server, config_overrides, bucket, make_user, make_round, tmp_path
):
    make_user("ana")
    round_ = make_round("open")
    log = tmp_path / "requests.jsonl"
    server = start_server(request_log=log, **config_overrides)
    video = make_video(tmp_path, name="big.mp4", seconds=5, width=640, height=360, noise=True)
    data = video.read_bytes()
    assert len(data) > 10 * MiB  # three parts of 5 MiB
    s = server.session("ana")
    started = s.post(
        f"{server.url}/api/v1/uploads",
        json={
            "round_id": round_.id,
            "title": "Noisy",
            "filename": "big.mp4",
            "size": len(data),
            "content_type": "video/mp4",
        },
        timeout=10,
    ).json()
    assert started["part_count"] == 3 and started["part_size"] == 5 * MiB
    part = started["parts"][0]
    # part 1: the first try fails (a mangled signature is refused), the retry succeeds
    broken = requests.put(
        part["url"].replace("X-Amz-Signature=", "X-Amz-Signature=0"),
        data=data[: 5 * MiB],
        timeout=30,
    )
    assert broken.status_code == 403
    first = requests.put(part["url"], data=data[: 5 * MiB], timeout=30)
    second = requests.put(started["parts"][1]["url"], data=data[5 * MiB : 10 * MiB], timeout=30)
    assert first.status_code == second.status_code == 200
    # "reload": ask what is stored, get fresh URLs for what is missing
    state = s.get(f"{server.url}/api/v1/uploads/{started['upload_id']}", timeout=10).json()
    assert [p["number"] for p in state["parts"]] == [1, 2] and state["missing"] == [3]
    third = requests.put(state["targets"][0]["url"], data=data[10 * MiB :], timeout=30)
    assert third.status_code == 200
    etags = [
        {"number": n, "etag": r.headers["ETag"]} for n, r in ((1, first), (2, second), (3, third))
    ]
    done = s.post(
        f"{server.url}/api/v1/uploads/{started['upload_id']}/complete",
        json={"parts": etags},
        timeout=30,
    )
    assert done.status_code == 202, done.text

    def live():
        body = s.get(f"{server.url}/api/v1/entries/{started['entry_id']}", timeout=10).json()
        return body if body["status"] in ("live", "rejected") else None

    entry = wait_for(live, timeout=60)
    assert entry["status"] == "live", entry
    # grain at over 5 Mbit/s would stall a 4G phone: it plays from its 720p rendition, ranged
    assert "playback.mp4" in entry["video_url"] and "small.mp4" in entry["small_video_url"]
    whole = requests.get(entry["video_url"], timeout=10).content
    ranged = requests.get(entry["video_url"], headers={"Range": "bytes=1000-1999"}, timeout=10)
    assert ranged.status_code == 206 and ranged.content == whole[1000:2000]
    page = s.get(f"{server.url}{entry['url']}", timeout=10)
    assert page.status_code == 200
    seen = [json.loads(line) for line in log.read_text().splitlines()]
    assert seen and all(r["bytes"] < 4096 for r in seen), max(r["bytes"] for r in seen)
    assert sum(r["bytes"] for r in seen) < 20_000
    assert not any("/parts/" in r["path"] for r in seen)


def test_with_a_cdn_media_urls_point_at_it(app, make_user, make_round, make_entry, new_api):
    app.config["MEDIA_BASE_URL"] = "https://cdn.example/media/"
    from contest.entries import storage

    storage.init_app(app)
    author = make_user("author")
    entry = make_entry(make_round("open").id, author.id, poster_key="rounds/1/k/poster.jpg")
    body = new_api().get(f"/api/v1/entries/{entry.id}").get_json()
    assert body["video_url"] == "https://cdn.example/media/" + body_key(app, entry.id)
    assert body["poster_url"] == "https://cdn.example/media/rounds/1/k/poster.jpg"
    page = new_api().get(f"/entries/{entry.id}/video")
    assert page.status_code == 302 and page.headers["Location"].startswith("https://cdn.example/")


def body_key(app, entry_id):
    with app.app_context():
        return db.session.get(Entry, entry_id).video_key
