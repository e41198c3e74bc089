"""`make run`'s last step: worker and web server start together and Ctrl-C stops both."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from library.settings import BASE_DIR


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    )
    return [int(p) for p in out.stdout.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purpose.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


def test_serve_starts_worker_and_web_and_ctrl_c_stops_both(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LIBRARY_", "DATABASE_", "DJANGO_ALLOW_ASYNC"))
    }
    env.update({"LIBRARY_DATA_DIR": str(tmp_path), "LIBRARY_DEBUG": "1"})
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True, capture_output=True)
    port = free_port()
    serve = subprocess.Popen(
        [*manage, "library_serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        state = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    state = json.load(r)
                break
            except OSError:
                time.sleep(0.5)
        assert state is not None, "the web server never answered /healthz"
        assert state["database"]["ok"] and state["tasks"]["ok"]
        children = children_of(serve.pid)
        assert len(children) == 2  # the worker and the web server

        serve.send_signal(signal.SIGINT)
        output, _ = serve.communicate(timeout=30)
    finally:
        if serve.poll() is None:
            serve.kill()
    assert serve.returncode == 0
    assert f"http://127.0.0.1:{port}/" in output
    assert "thuthu / thuthu123" in output
    assert "library_serve: stopped" in output
    deadline = time.time() + 10
    while any(alive(pid) for pid in children) and time.time() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in children)
