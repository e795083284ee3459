#!/usr/bin/env python3
"""Smoke test of the testbed: starts instances, seeds, checks them over IMAP.

    python3 tests/testbed/selftest.py [--big N]

Needs root (or the dovecot user setup the testbed script expects), Dovecot,
openssl and a built tern-seed (or TERN_SEED). Only talks to 127.0.0.1.
Prints timings and ends with "N passed, N failed".
"""
import argparse
import imaplib
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTBED = os.path.join(HERE, "testbed")
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def tb(*args, timed=None):
    t = time.monotonic()
    out = subprocess.run([TESTBED, *args], check=True, capture_output=True, text=True)
    dt = time.monotonic() - t
    if timed:
        print(f"time {timed}: {dt:.3f} s")
    return out.stdout, dt


def parse_env(text):
    return dict(l.split("=", 1) for l in text.strip().splitlines())


def imap(env, user="alice", pw=None):
    m = imaplib.IMAP4(env["TESTBED_HOST"], int(env["TESTBED_IMAP_PORT"]))
    m.login(user, pw or f"{user}-pw")
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", type=int, default=0, help="also seed a folder of this size and time it")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directories")
    a = ap.parse_args()

    root = tempfile.mkdtemp(prefix="tern-testbed-selftest-")
    os.chmod(root, 0o755)  # the dovecot user must be able to enter DIR's parents
    d1, d2, d3 = (os.path.join(root, n) for n in ("one", "two", "nocap"))
    try:
        out, cold = tb("start", d1, timed="start (fresh dir)")
        env = parse_env(out)
        check("start prints the env", env.keys() >= {"TESTBED_DIR", "TESTBED_HOST", "TESTBED_IMAP_PORT",
                                                      "TESTBED_IMAPS_PORT", "TESTBED_CA_FILE", "TESTBED_USERS",
                                                      "TESTBED_PID"}, out)
        check("env file matches", parse_env(tb("env", d1)[0]) == env)
        tb("stop", d1)
        env = parse_env(tb("start", d1, timed="start (same dir again)")[0])
        out2, d2time = tb("start", d2, "--users", "carol:secret,dave", timed="start (second instance)")
        env2 = parse_env(out2)
        check("two instances have distinct ports",
              {env["TESTBED_IMAP_PORT"], env["TESTBED_IMAPS_PORT"]}.isdisjoint(
                  {env2["TESTBED_IMAP_PORT"], env2["TESTBED_IMAPS_PORT"]}))
        check("users with passwords", env2["TESTBED_USERS"] == "carol:secret,dave:dave-pw", env2["TESTBED_USERS"])
        imap(env2, "carol", "secret").logout()

        _, t = tb("seed", d1, "alice", "INBOX", "10000", timed="seed 10000 into INBOX")
        _, t = tb("seed", d1, "alice", "Lists", "1000", timed="seed 1000 into Lists")

        m = imap(env)
        lines = [l.decode() for l in m.list()[1]]
        for f, attr in [("Drafts", "\\Drafts"), ("Sent", "\\Sent"), ("Trash", "\\Trash"), ("Junk", "\\Junk"),
                        ("Archive", "\\Archive")]:
            check(f"LIST {f} {attr}", any(l.endswith(f'"/" {f}') and attr in l for l in lines), lines)
        subs = [l.decode() for l in m.lsub()[1]]
        check("special-use folders subscribed", all(any(l.endswith(" " + f) for l in subs)
                                                    for f in ("Drafts", "Sent", "Trash", "Junk", "Archive")), subs)
        check("Lists folder listed", any(l.endswith('"/" Lists') for l in lines), lines)
        t = time.monotonic()
        typ, data = m.select("INBOX")
        print(f"time SELECT INBOX (10k): {time.monotonic() - t:.3f} s")
        check("SELECT INBOX shows 10000", data == [b"10000"], data)
        check("SELECT Lists shows 1000", m.select("Lists")[1] == [b"1000"])
        caps = m.capability()[1][0].decode().split()  # post-login list
        for c in ("CONDSTORE", "QRESYNC", "IDLE", "MOVE", "UIDPLUS", "SPECIAL-USE"):
            check(f"capability {c}", c in caps, caps)
        m.logout()

        # wrong password fails fast, and does not slow the next good login
        for i in range(2):
            mm = imaplib.IMAP4(env["TESTBED_HOST"], int(env["TESTBED_IMAP_PORT"]))
            t = time.monotonic()
            try:
                mm.login("alice", "wrong")
                ok = False
            except imaplib.IMAP4.error:
                ok = True
            dt = time.monotonic() - t
            print(f"time bad LOGIN #{i + 1}: {dt:.3f} s")
            check("bad password rejected fast", ok and dt < 1.0, dt)
            t = time.monotonic()
            imap(env).logout()
            check("good login right after is fast", time.monotonic() - t < 0.5)

        # TLS: implicit, STARTTLS, and verification for both host names
        ctx = ssl.create_default_context(cafile=env["TESTBED_CA_FILE"])
        for host in ("127.0.0.1", "localhost"):
            s = imaplib.IMAP4_SSL(host, int(env["TESTBED_IMAPS_PORT"]), ssl_context=ctx)
            s.login("alice", "alice-pw")
            check(f"implicit TLS verified for {host} ({s.sock.version()})", True)
            s.logout()
            s = imaplib.IMAP4(host, int(env["TESTBED_IMAP_PORT"]))
            s.starttls(ssl_context=ctx)
            s.login("alice", "alice-pw")
            check(f"STARTTLS verified for {host}", True)
            s.logout()
        wrong = ssl.create_default_context(cafile=env["TESTBED_CA_FILE"])
        try:
            with socket.create_connection(("127.0.0.1", int(env["TESTBED_IMAPS_PORT"]))) as raw:
                wrong.wrap_socket(raw, server_hostname="example.com")
            check("hostname mismatch is rejected", False)
        except ssl.SSLCertVerificationError:
            check("hostname mismatch is rejected", True)

        # adduser on a running instance
        tb("adduser", d1, "erin:pa55", timed="adduser")
        imap(env, "erin", "pa55").logout()
        check("adduser: new user can log in", True)
        check("adduser: env updated", "erin:pa55" in tb("env", d1)[0])

        # --capability hides CONDSTORE/QRESYNC/MOVE (also after login)
        env3 = parse_env(tb("start", d3, "--capability",
                            "IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE NAMESPACE UIDPLUS SPECIAL-USE UNSELECT")[0])
        s = socket.create_connection(("127.0.0.1", int(env3["TESTBED_IMAP_PORT"])))
        f = s.makefile("rwb")
        f.readline()
        f.write(b"a LOGIN alice alice-pw\r\n")
        f.flush()
        resp = b""
        while not resp.startswith(b"a "):
            resp = f.readline()
        check("--capability: post-login CAPABILITY has no CONDSTORE/QRESYNC/MOVE",
              b"[CAPABILITY " in resp and not any(c in resp for c in (b"CONDSTORE", b"QRESYNC", b"MOVE")), resp)
        s.close()

        if a.big:
            big = os.path.join(root, "big")
            envb = parse_env(tb("start", big)[0])
            tb("seed", big, "alice", "INBOX", str(a.big), timed=f"seed {a.big} into INBOX")
            m = imap(envb)
            t = time.monotonic()
            data = m.select("INBOX")[1]
            print(f"time SELECT INBOX ({a.big}): {time.monotonic() - t:.3f} s")
            check(f"SELECT INBOX shows {a.big}", data == [str(a.big).encode()], data)
            m.logout()
            tb("stop", big)

        names = [root]
        for d in (d1, d2, d3):
            with open(os.path.join(d, "dovecot.conf")) as conf:
                names += [l.split("=", 1)[1].strip() for l in conf if l.startswith("instance_name")]
            _, t = tb("stop", d, timed="stop")
        tb("stop", d1)  # idempotent
        left = [p for n in names
                for p in subprocess.run(["pgrep", "-f", n], capture_output=True, text=True).stdout.split()]
        check("no dovecot process left", not left, left)
    finally:
        for d in (d1, d2, d3, os.path.join(root, "big")):
            subprocess.run([TESTBED, "stop", d], capture_output=True)
        if not a.keep:
            shutil.rmtree(root, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
