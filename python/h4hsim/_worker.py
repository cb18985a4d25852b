"""A worker process (see _workers.py): reads {"fn", "args"} JSON lines on stdin, calls
h4hsim._core.<fn>(*args) and answers {"ok": text} or {"error", "kind"} on its own copy of
stdout. Anything the simulator itself prints goes to stderr, so it cannot garble a reply."""
import json
import os
import sys


def main():
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # fd 1 (C++ std::cout, print) now goes to stderr
    sys.stdout = sys.stderr
    from h4hsim import _core
    allowed = {"run", "nas_lut"}
    for line in sys.stdin:
        request = json.loads(line)
        fn = request["fn"]
        try:
            if fn not in allowed:
                raise RuntimeError(f"unknown worker call {fn!r}")
            reply = {"ok": getattr(_core, fn)(*request["args"])}
        except _core.UserError as e:
            reply = {"error": str(e), "kind": "user"}
        except Exception as e:  # noqa: BLE001 - reported to the parent, which raises it
            reply = {"error": str(e), "kind": "internal"}
        replies.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main()
