#!/usr/bin/env python3
"""Smoke test of the testbed: starts instances, seeds, checks them over IMAP and SMTP.

    python3 tests/testbed/selftest.py [--big N]

Needs root (or the dovecot user setup the testbed script expects), Dovecot,
openssl and a built tern-seed (or TERN_SEED); the SMTP checks need Postfix and
dovecot-lmtpd, and are skipped with a notice without them. Only talks to
127.0.0.1.
Prints timings and ends with "N passed, N failed".
"""
import argparse
import base64
import imaplib
import os
import shutil
import smtplib
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


def wait_for_message(env, user, pw, message_id, timeout=10.0):
    """Polls user's INBOX over IMAP until a message with this Message-ID arrives; returns its
    raw bytes and the seconds waited, or (None, timeout)."""
    t = time.monotonic()
    m = imap(env, user, pw)
    try:
        while time.monotonic() - t < timeout:
            m.select("INBOX")
            uids = m.uid("SEARCH", None, "HEADER", "Message-ID", message_id)[1][0].split()
            if uids:
                raw = m.uid("FETCH", uids[-1], "(BODY.PEEK[])")[1][0][1]
                return raw, time.monotonic() - t
            time.sleep(0.01)
        return None, timeout
    finally:
        m.logout()


def smtp_message(sender, to, subject, body, message_id):
    """A multipart/alternative message with 8-bit UTF-8 text and an encoded subject (CRLF)."""
    return (
        f"From: =?UTF-8?Q?Ren=C3=A9e?= <{sender}>\r\nTo: <{to}>\r\nSubject: {subject}\r\n"
        f"Date: Mon, 3 Nov 2025 10:00:00 +0000\r\nMessage-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/alternative; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"{body}\r\n"
        "--b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"<p>{body}</p>\r\n--b1--\r\n"
    ).encode()


def smtp_code(fn):
    """Runs fn and returns the SMTP reply code of the error it raised (0 if none)."""
    try:
        fn()
        return 0
    except smtplib.SMTPResponseException as e:
        return e.smtp_code
    except smtplib.SMTPRecipientsRefused as e:
        return next(iter(e.recipients.values()))[0]


def smtp_checks(env, d1):
    host, psub, psmtps = env["TESTBED_HOST"], int(env["TESTBED_SUBMISSION_PORT"]), int(env["TESTBED_SMTPS_PORT"])
    ctx = ssl.create_default_context(cafile=env["TESTBED_CA_FILE"])

    def submission(user=None, pw=None, host=host):
        s = smtplib.SMTP(host, psub, timeout=10)
        s.starttls(context=ctx)
        if user:
            s.login(user, pw)
        return s

    # STARTTLS + AUTH on submission, for both names in the certificate; alice -> bob
    for h in ("127.0.0.1", "localhost"):
        s = submission("alice", "alice-pw", host=h)
        check(f"submission: STARTTLS verified for {h}, AUTH ({s.sock.version()})", True)
        s.quit()
    s = smtplib.SMTP(host, psub, timeout=10)
    s.ehlo()
    check("submission: no AUTH offered before STARTTLS", not s.has_extn("auth"), s.esmtp_features)
    s.starttls(context=ctx)
    s.ehlo()
    check("submission: AUTH PLAIN LOGIN after STARTTLS",
          set(s.esmtp_features.get("auth", "").split()) >= {"PLAIN", "LOGIN"}, s.esmtp_features)
    check("submission: SIZE 10485760 advertised", s.esmtp_features.get("size") == "10485760", s.esmtp_features)
    s.login("alice", "alice-pw")
    mid = f"<selftest.{time.time_ns()}@example.org>"
    msg = smtp_message("alice@example.org", "bob@example.org", "=?UTF-8?B?Q2Fmw6kg4piV?=",
                       "Grüße aus Zürich, 東京 and naïve café.", mid)
    t = time.monotonic()
    refused = s.sendmail("alice@example.org", ["bob@example.org"], msg, mail_options=["BODY=8BITMIME"])
    sent = time.monotonic() - t
    s.quit()
    check("submission: message accepted", refused == {}, refused)
    raw, waited = wait_for_message(env, "bob", "bob-pw", mid)
    print(f"time SMTP submission: {sent:.3f} s, then in the INBOX after {waited:.3f} s")
    check("delivered to bob's INBOX over LMTP", raw is not None)
    if raw is not None:
        # Postfix and Dovecot only prepend trace headers (Return-Path, Delivered-To, Received).
        check("delivered message is byte-identical after the trace headers", raw.endswith(msg),
              raw[:400])
        check("delivered message has Return-Path of the sender",
              raw.startswith(b"Return-Path: <alice@example.org>"), raw[:80])

    # implicit TLS
    s = smtplib.SMTP_SSL(host, psmtps, timeout=10, context=ctx)
    check(f"smtps: implicit TLS verified ({s.sock.version()})", True)
    s.login("bob", "bob-pw")
    mid2 = f"<selftest.{time.time_ns()}@example.org>"
    s.sendmail("bob@example.org", ["alice@example.org"], smtp_message(
        "bob@example.org", "alice@example.org", "Implicit TLS", "hello", mid2))
    s.quit()
    check("smtps: delivered to alice's INBOX", wait_for_message(env, "alice", "alice-pw", mid2)[0] is not None)

    # refusals
    s = smtplib.SMTP(host, psub, timeout=10)
    s.ehlo()
    code, _ = s.docmd("AUTH", "PLAIN " + base64.b64encode(b"\0alice\0alice-pw").decode())
    check("AUTH before STARTTLS is refused (530)", code == 530, code)
    code, _ = s.docmd("MAIL", "FROM:<alice@example.org>")
    check("MAIL before STARTTLS is refused (530)", code == 530, code)
    s.close()
    s = submission()
    t = time.monotonic()
    code = smtp_code(lambda: s.login("alice", "wrong"))
    dt = time.monotonic() - t
    check("wrong password refused (535)", code == 535, code)
    print(f"time SMTP bad AUTH: {dt:.3f} s")
    check("wrong password refused fast", dt < 1.0, dt)
    code = smtp_code(lambda: s.sendmail("alice@example.org", ["bob@example.org"], b"Subject: x\r\n\r\nx\r\n"))
    check("unauthenticated sender refused (530)", code == 530, code)
    s.close()
    code = smtp_code(lambda: smtplib.SMTP_SSL(host, psmtps, timeout=10, context=ctx).sendmail(
        "alice@example.org", ["bob@example.org"], b"Subject: x\r\n\r\nx\r\n"))
    check("smtps: unauthenticated sender refused (530)", code == 530, code)

    s = submission("alice", "alice-pw")
    code = smtp_code(lambda: s.sendmail("alice@example.org", ["someone@example.net"], b"Subject: x\r\n\r\nx\r\n"))
    check("relay to another domain refused (554)", code == 554, code)
    code = smtp_code(lambda: s.sendmail("alice@example.org", ["nobody@example.org"], b"Subject: x\r\n\r\nx\r\n"))
    check("unknown local recipient refused (550)", code == 550, code)
    mid3 = f"<selftest.{time.time_ns()}@example.org>"
    refused = s.sendmail("alice@example.org", ["bob@example.org", "nobody@example.org"], smtp_message(
        "alice@example.org", "bob@example.org", "Partly", "one of two", mid3))
    check("one bad recipient of two: only that one refused",
          list(refused) == ["nobody@example.org"] and refused["nobody@example.org"][0] == 550, refused)
    check("one bad recipient of two: the other gets the mail",
          wait_for_message(env, "bob", "bob-pw", mid3)[0] is not None)
    mid5 = f"<selftest.{time.time_ns()}@example.org>"
    big = f"Subject: big\r\nMessage-ID: {mid5}\r\n\r\n".encode() + (b"x" * 998 + b"\r\n") * 11000  # 11 MB
    code = smtp_code(lambda: s.sendmail("alice@example.org", ["bob@example.org"], big))
    check("over-size message refused at MAIL FROM with SIZE= (552)", code == 552, code)
    s.rset()
    s.mail("alice@example.org")  # no SIZE= declared: refused after the data
    s.rcpt("bob@example.org")
    code = s.data(big)[0]  # the reply to the end of the data, not raised
    check("over-size message refused after DATA (552)", code == 552, code)
    s.quit()

    # the user added by adduser can send and receive
    s = submission("erin", "pa55")
    mid4 = f"<selftest.{time.time_ns()}@example.org>"
    s.sendmail("erin@example.org", ["erin@example.org"], smtp_message(
        "erin@example.org", "erin@example.org", "Note to self", "hi", mid4))
    s.quit()
    check("adduser: new user can AUTH and receive mail",
          wait_for_message(env, "erin", "pa55", mid4)[0] is not None)
    # Mail is delivered in order of arrival, and erin's came after the over-size attempts.
    check("over-size message not delivered", wait_for_message(env, "bob", "bob-pw", mid5, 0.1)[0] is None)

    # Warnings are expected only from the failures provoked above.
    expected = ("SASL PLAIN authentication failed", "SASL LOGIN authentication failed",
                "queue file size limit exceeded", "mail_stream_cleanup: close error")
    with open(os.path.join(d1, "postfix.log")) as log:
        bad = [l for l in log.read().splitlines()
               if any(w in l for w in (" warning: ", " fatal: ", " panic: ", " error: "))
               and not any(e in l for e in expected)]
    check("postfix log has no unexpected warnings or errors", not bad, bad[:5])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", type=int, default=0, help="also seed a folder of this size and time it")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directories")
    a = ap.parse_args()

    root = tempfile.mkdtemp(prefix="tern-testbed-selftest-")
    os.chmod(root, 0o755)  # the dovecot user must be able to enter DIR's parents
    d1, d2, d3, d4 = (os.path.join(root, n) for n in ("one", "two", "nocap", "nosmtp"))
    # Postfix and dovecot-lmtpd come with tests/setup.sh; without them start goes on without SMTP.
    smtp = os.path.exists("/usr/sbin/postfix") and os.path.exists("/usr/lib/dovecot/lmtp")
    if not smtp:
        print("skip SMTP checks: Postfix or dovecot-lmtpd is not installed (run tests/setup.sh)")
    ports = ["TESTBED_IMAP_PORT", "TESTBED_IMAPS_PORT"]
    if smtp:
        ports += ["TESTBED_SUBMISSION_PORT", "TESTBED_SMTPS_PORT"]
    smtp_pids = []
    try:
        out, cold = tb("start", d1, timed="start (fresh dir)")
        env = parse_env(out)
        check("start prints the env", env.keys() >= {"TESTBED_DIR", "TESTBED_HOST", "TESTBED_CA_FILE", "TESTBED_USERS",
                                                      "TESTBED_PID", *ports}, out)
        check("env file matches", parse_env(tb("env", d1)[0]) == env)
        tb("stop", d1)
        env = parse_env(tb("start", d1, timed="start (same dir again)")[0])
        tb("stop", d1)
        # as the Rust harness restarts after an outage: the same ports again
        flags = {"TESTBED_IMAP_PORT": "--port-imap", "TESTBED_IMAPS_PORT": "--port-imaps",
                 "TESTBED_SUBMISSION_PORT": "--port-submission", "TESTBED_SMTPS_PORT": "--port-smtps"}
        same = [a for k in ports for a in (flags[k], env[k])]
        env_again = parse_env(tb("start", d1, *same, timed="start (same dir, same ports)")[0])
        check("restart on the same ports", all(env_again[k] == env[k] for k in ports), (env, env_again))
        env = env_again
        smtp_pids.append(env.get("TESTBED_SMTP_PID"))
        out2, d2time = tb("start", d2, "--users", "carol:secret,dave", timed="start (second instance)")
        env2 = parse_env(out2)
        smtp_pids.append(env2.get("TESTBED_SMTP_PID"))
        check("two instances have distinct ports",
              {env[k] for k in ports}.isdisjoint({env2[k] for k in ports}))
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

        if smtp:
            smtp_checks(env, d1)

        # without Postfix, start still serves IMAP and says SMTP is unavailable
        r = subprocess.run([TESTBED, "start", d4], capture_output=True, text=True,
                           env={**os.environ, "TESTBED_POSTFIX": "/nonexistent/postfix"})
        env4 = parse_env(r.stdout) if r.returncode == 0 else {}
        check("no Postfix: start works without SMTP ports",
              r.returncode == 0 and "TESTBED_SUBMISSION_PORT" not in env4, r.stdout + r.stderr)
        check("no Postfix: start says SMTP is unavailable", "SMTP is unavailable" in r.stderr, r.stderr)
        if env4:
            imap(env4).logout()
            check("no Postfix: IMAP works", True)

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
        for d in (d1, d2, d3, d4):
            with open(os.path.join(d, "dovecot.conf")) as conf:
                names += [l.split("=", 1)[1].strip() for l in conf if l.startswith("instance_name")]
            _, t = tb("stop", d, timed="stop")
        tb("stop", d1)  # idempotent
        left = [p for n in names
                for p in subprocess.run(["pgrep", "-f", n], capture_output=True, text=True).stdout.split()]
        check("no dovecot process left", not left, left)
        if smtp:
            live = subprocess.run(["ps", "-o", "pid=,stat=,args=", "-s", ",".join(p for p in smtp_pids if p)],
                                  capture_output=True, text=True).stdout.splitlines()
            live = [l for l in live if l.split()[1][0] != "Z"]
            check("no postfix process left", smtp_pids and all(smtp_pids) and not live, (smtp_pids, live))
        # every testbed process works in its DIR (Postfix's in its queue directory)
        inside = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if os.readlink(f"/proc/{pid}/cwd").startswith(root):
                    inside.append(pid)
            except OSError:
                pass
        check("no process left in the testbed directories", not inside, inside)
    finally:
        for d in (d1, d2, d3, d4, os.path.join(root, "big")):
            subprocess.run([TESTBED, "stop", d], capture_output=True)
        if not a.keep:
            shutil.rmtree(root, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
