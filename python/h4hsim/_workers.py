"""Worker processes, one per arch config: the simulator elaborates one config per process,
so a second config in one interpreter runs in a child that holds it and is reused for every
later call with that config. Requests and replies are JSON lines over pipes."""
import atexit
import collections
import json
import os
import subprocess
import sys
import threading

from . import _core

# Workers kept alive at once; the least recently used one ends when another is needed.
MAX_WORKERS = 4


class _Worker:
    def __init__(self, key):
        self.key = key
        self.lock = threading.Lock()
        env = dict(os.environ)
        package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_parent, env.get("PYTHONPATH")) if p)
        self.proc = subprocess.Popen([sys.executable, "-m", "h4hsim._worker"], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)

    def call(self, fn, args):
        with self.lock:
            try:
                self.proc.stdin.write(json.dumps({"fn": fn, "args": list(args)}) + "\n")
                self.proc.stdin.flush()
                line = self.proc.stdout.readline()
            except (BrokenPipeError, OSError):
                line = ""
            if not line:
                code = self.proc.wait()
                how = f"signal {-code}" if code < 0 else f"exit code {code}"
                raise RuntimeError(f"h4hsim: the worker process for config {self.key} ended "
                                   f"({how}); this is a bug, please report it")
            reply = json.loads(line)
        if "ok" in reply:
            return reply["ok"]
        if reply.get("kind") == "user":
            raise _core.UserError(reply["error"])
        raise RuntimeError(f"h4hsim: internal error: {reply['error']}")

    def alive(self):
        return self.proc.poll() is None

    def close(self):
        try:
            self.proc.stdin.close()  # the worker's loop ends at end of input
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 - best effort at shutdown
            self.proc.kill()
            self.proc.wait()
        finally:
            self.proc.stdout.close()


class WorkerPool:
    def __init__(self):
        self._workers = collections.OrderedDict()
        self._lock = threading.Lock()
        atexit.register(self.close)

    def call(self, key, fn, args):
        with self._lock:
            w = self._workers.get(key)
            if w is not None and not w.alive():
                del self._workers[key]
                w.close()
                w = None
            if w is None:
                while len(self._workers) >= MAX_WORKERS:
                    _, old = self._workers.popitem(last=False)
                    old.close()
                w = self._workers[key] = _Worker(key)
            self._workers.move_to_end(key)
        try:
            return w.call(fn, args)
        except RuntimeError:
            if not w.alive():
                with self._lock:
                    if self._workers.get(key) is w:
                        del self._workers[key]
                w.close()
            raise

    def close(self):
        with self._lock:
            workers, self._workers = list(self._workers.values()), collections.OrderedDict()
        for w in workers:
            w.close()
