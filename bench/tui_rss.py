"""Memory of the TUI with 100,000 Accounts loaded in the Records list (issue #10).

    python3 bench/tui_rss.py [--records N] [--sfterm target/release/sfterm] [--mode client|demo|both]

client: starts `sfterm mock-org --records N` as its own process, runs `sfterm -p bench` against
it in a 120x40 pseudo-terminal, presses `1` (Records tab) and `G` (to the end: loads every page)
until both processes are idle, then reads VmHWM / VmRSS of the TUI process from /proc.
demo: the same with `sfterm demo --records N` (one process: the TUI plus the embedded mock org).
"Loaded" = neither process used CPU for 1.5 s, and after a resize (a full redraw) the screen
says "100,000 of 100,000 loaded". Linux only
(/proc); standard library only. Scratch config and data directories; nothing of yours is read.
"""

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import tempfile
import termios
import time


def status(pid):
    """VmHWM and VmRSS of `pid` in MiB."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(value.split()[0]) / 1024
    return out


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def read_for(fd, seconds):
    """Everything the terminal gets in `seconds`."""
    out = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                out += os.read(fd, 65536)
            except OSError:
                break
    return out


def run_tui(argv, env, records, others=(), timeout=600):
    """Runs the TUI, loads every Account, returns (VmHWM, VmRSS, seconds, loaded text seen)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(env)
        os.execvp(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    start = time.monotonic()
    total = f"{records:,}".encode()
    loaded_re = re.compile(rb"of " + re.escape(total) + rb" loaded")
    seen_loaded = b""
    last_key = 0.0
    idle_since = None
    last_cpu = None
    tail = b""
    width = 120
    full = re.compile(re.escape(total) + rb" of " + re.escape(total) + rb" loaded")
    try:
        while time.monotonic() - start < timeout:
            if not tail and time.monotonic() - start > 30:
                # Seen once in many runs: the TUI drew nothing at all. Say so at once.
                raise SystemExit(f"{argv}: nothing on the terminal within 30 s")
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                tail = (tail + chunk)[-4096:]
                for m in re.finditer(rb"([0-9,]+) of " + re.escape(total) + rb" loaded", tail):
                    seen_loaded = m.group(0)
            now = time.monotonic()
            if now - last_key > 1.0:  # `1` then `G`, again until loaded (the list may still connect)
                os.write(fd, b"1G")
                last_key = now
            if not loaded_re.search(tail) and not seen_loaded:
                continue
            cpu = sum(cpu_ticks(p) for p in (pid, *others))
            if cpu != last_cpu:
                last_cpu, idle_since = cpu, now
            elif now - idle_since > 1.5:
                # Idle: redraw everything (a resize) and check the whole count is on screen.
                width = 121 if width == 120 else 120
                fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, width, 0, 0))
                os.kill(pid, signal.SIGWINCH)
                screen = read_for(fd, 1.0)
                if full.search(screen):
                    result = status(pid)
                    return result["VmHWM"], result["VmRSS"], now - start, full.search(screen)[0].decode()
                last_cpu = None
        raise SystemExit(f"not loaded within {timeout} s (last: {seen_loaded!r})")
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--sfterm", default="target/release/sfterm")
    parser.add_argument("--mode", choices=("client", "demo", "both"), default="both")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="sfterm-rss-")
    env = {"SFTERM_CONFIG_DIR": f"{work}/config", "SFTERM_DATA_DIR": f"{work}/data"}
    os.makedirs(env["SFTERM_CONFIG_DIR"])
    os.makedirs(env["SFTERM_DATA_DIR"])

    if args.mode in ("client", "both"):
        org_env = f"{work}/org.env"
        org = subprocess.Popen(
            [args.sfterm, "mock-org", "--port", "0", "--records", str(args.records),
             "--env-file", org_env],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(1200):
                if os.path.exists(org_env) and os.path.getsize(org_env) > 0:
                    break
                if org.poll() is not None:
                    raise SystemExit("the mock org exited")
                time.sleep(0.1)
            time.sleep(0.2)
            values = dict(re.findall(r"^(?:export )?(\w+)=\"?([^\"\n]*)\"?$",
                                     open(org_env).read(), re.M))
            with open(f"{env['SFTERM_CONFIG_DIR']}/profiles.toml", "w") as f:
                f.write(f'[[profile]]\nname = "bench"\nendpoint = "{values["SF_INSTANCE_URL"]}"\n'
                        f'client_id = "{values["SF_CLIENT_ID"]}"\n'
                        'secret = { source = "env", var = "SF_CLIENT_SECRET" }\n')
            client_env = dict(env, SF_CLIENT_SECRET=values["SF_CLIENT_SECRET"])
            hwm, rss, secs, text = run_tui([args.sfterm, "-p", "bench"], client_env,
                                           args.records, others=(org.pid,))
            org_rss = status(org.pid)["VmRSS"]
            print(f"sfterm -p bench (TUI alone; mock org separate): VmHWM {hwm:.1f} MiB, "
                  f"VmRSS {rss:.1f} MiB after {secs:.1f} s ({text}); mock org VmRSS {org_rss:.1f} MiB")
        finally:
            org.send_signal(signal.SIGINT)
            try:
                org.wait(10)
            except subprocess.TimeoutExpired:
                org.kill()

    if args.mode in ("demo", "both"):
        hwm, rss, secs, text = run_tui([args.sfterm, "demo", "--records", str(args.records)],
                                       env, args.records)
        print(f"sfterm demo --records {args.records} (TUI + embedded mock org): "
              f"VmHWM {hwm:.1f} MiB, VmRSS {rss:.1f} MiB after {secs:.1f} s ({text})")


if __name__ == "__main__":
    main()
