"""Time from start to the first TUI frame: runs a command in a 120x40 pseudo-terminal and stops
the clock when the frame's text (default "Profiles") has been written. Prints the sorted times of N runs in milliseconds.

    python3 bench/first_frame.py [--runs N] [--marker TEXT] -- target/release/sfterm [ARGS...]

Use a scratch SFTERM_CONFIG_DIR / SFTERM_DATA_DIR so your own profiles are not read. Standard
library only; Linux or macOS (pty).
"""

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import termios
import time


def first_frame(argv, marker, timeout):
    """Seconds until `marker` appears on the terminal, or None after `timeout`."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    start = time.perf_counter()
    seen = b""
    result = None
    while time.perf_counter() - start < timeout:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        seen += chunk
        if marker in seen:
            result = time.perf_counter() - start
            break
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--marker", default="Profiles")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = [c for c in args.command if c != "--"] or ["target/release/sfterm"]
    times = [first_frame(command, args.marker.encode(), args.timeout) for _ in range(args.runs)]
    found = sorted(t * 1000 for t in times if t is not None)
    if not found:
        print(f"no frame with {args.marker!r} within {args.timeout} s")
        raise SystemExit(1)
    print(
        f"first frame of {' '.join(command)}: median {statistics.median(found):.1f} ms, "
        f"runs {[round(t, 1) for t in found]}"
        + (f", {len(times) - len(found)} timed out" if len(found) < len(times) else "")
    )


if __name__ == "__main__":
    main()
