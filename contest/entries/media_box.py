"""Reading an upload in a child process, with a hard wall-clock limit and a memory cap.

FFmpeg reads whatever a fan sends. A file that never ends (or a demuxer waiting on input that
never comes) held the only RQ worker for 11 minutes: the job timeout's signal cannot interrupt
FFmpeg's read. Here the checks, the poster and the renditions run in a child process forked
from a small server that has already imported this module (multiprocessing's forkserver, so a
child costs milliseconds, not an import of the whole app). The parent waits at most
MEDIA_TIMEOUT seconds and then kills the child; the child's address space is capped at
MEDIA_MEMORY_MB, so a decompression bomb ends the child, not the worker.

Like every multiprocessing child that is not forked from its parent, the child imports the
parent's main module first: a script that processes videos (bench/, a one-off) keeps its work
under `if __name__ == "__main__":`, as gunicorn's, flask's and pytest's entry points do.
"""

import dataclasses
import multiprocessing
import os
import resource
import time

from contest.entries import media, transcode
from contest.errors import NotAVideo
from contest.texts import Text, as_text

_context = None


class TooSlow(Exception):
    """The child did not finish within the wall-clock limit and was killed."""


class ChildDied(Exception):
    """The child ended without an answer (the memory cap, a crash in FFmpeg)."""


def _forkserver():
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        _context = context
    return _context


def read_upload(source, folder, max_seconds, seconds_limit, memory_mb, on_converting=None):
    """Check the upload, write its poster, its small rendition (and a playback rendition when
    phones need one) into `folder`: {"facts": VideoFacts, "poster": path, "rendition": path or
    None, "small": path, "size": (w, h)}. NotAVideo when the file is refused; TooSlow or
    ChildDied when reading it failed."""
    message = _in_child(
        _read_child, (source, folder, max_seconds), seconds_limit, memory_mb, on_converting
    )
    message["facts"] = media.VideoFacts(**message["facts"])
    return message


def make_small(source, folder, max_seconds, seconds_limit, memory_mb):
    """Only the small rendition of a clip already checked (clips from before it existed):
    its path in `folder`."""
    answer = _in_child(_again_child, (source, folder, max_seconds), seconds_limit, memory_mb)
    return answer["small"]


def _in_child(target, args, seconds_limit, memory_mb, on_converting=None):
    context = _forkserver()
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, memory_mb, target, args), daemon=True)
    child.start()
    send.close()
    deadline = time.monotonic() + seconds_limit
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not receive.poll(left):
                raise TooSlow(f"reading the upload took over {seconds_limit:g} s")
            try:
                message = receive.recv()
            except EOFError:
                raise ChildDied(f"the reader ended without an answer ({child.exitcode})") from None
            if message.get("converting"):
                if on_converting is not None:
                    on_converting()
                continue
            break
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receive.close()
    if "refused" in message:
        raise NotAVideo(Text.from_json(message["refused"]), code=message["code"])
    return message


def _child(send, memory_mb, target, args):
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        answer = target(send, *args)
    except NotAVideo as error:
        send.send({"refused": as_text(error.text).to_json(), "code": error.code})
    except MemoryError:
        send.close()  # the parent sees ChildDied
        os._exit(3)
    else:
        send.send(answer)
    send.close()


def _read_child(send, source, folder, max_seconds):
    facts = media.probe_video(source, max_seconds)
    poster = media.make_poster(source, os.path.join(folder, "poster.jpg"))
    rendition, size = None, (facts.width, facts.height)
    if transcode.reasons_to_transcode(facts):
        send.send({"converting": True})
        rendition = os.path.join(folder, "playback.mp4")
        size = transcode.make_rendition(source, rendition, facts.rotation)
    small = _small_child(send, source, folder, facts.rotation)["small"]
    return {
        "facts": dataclasses.asdict(facts),
        "poster": poster,
        "rendition": rendition,
        "small": small,
        "size": size,
    }


def _again_child(send, source, folder, max_seconds):
    facts = media.probe_video(source, max_seconds)
    return _small_child(send, source, folder, facts.rotation)


def _small_child(send, source, folder, rotation):
    small = os.path.join(folder, "small.mp4")
    transcode.make_rendition(source, small, rotation, transcode.SMALL)
    return {"small": small}
