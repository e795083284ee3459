#!/usr/bin/python3
"""A second IMAP client for the end-to-end tests (stdlib imaplib, implicit TLS).

  imap.py PORT CA_FILE USER PASSWORD append FOLDER        < message   -> prints the new UID
  imap.py PORT CA_FILE USER PASSWORD append-files FOLDER FILE...      -> one new UID per line
  imap.py PORT CA_FILE USER PASSWORD flags FOLDER UID                 -> prints the flags
  imap.py PORT CA_FILE USER PASSWORD count FOLDER                     -> prints EXISTS
  imap.py PORT CA_FILE USER PASSWORD subjects FOLDER                  -> one Subject per line, decoded
  imap.py PORT CA_FILE USER PASSWORD folders -                        -> one folder per line

Always connects to 127.0.0.1.
"""
import email.header
import imaplib
import re
import ssl
import sys


def quoted(name: str) -> str:
    """A mailbox name as an IMAP quoted string (imaplib sends arguments as they are)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main() -> int:
    port, ca_file, user, password, cmd, name, *rest = sys.argv[1:]
    folder = quoted(name)
    ctx = ssl.create_default_context(cafile=ca_file)
    imap = imaplib.IMAP4_SSL("127.0.0.1", int(port), ssl_context=ctx, timeout=20)
    try:
        imap.login(user, password)
        if cmd == "append":
            data = sys.stdin.buffer.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            typ, resp = imap.append(folder, None, None, data)
            if typ != "OK":
                raise SystemExit(f"APPEND failed: {resp!r}")
            m = re.search(rb"APPENDUID \d+ (\d+)", resp[0] or b"")
            if not m:
                raise SystemExit(f"no APPENDUID in {resp!r}")
            print(int(m.group(1)))
        elif cmd == "append-files":
            # Many messages in one session (a corpus): each file as it is, line ends made CRLF.
            for path in rest:
                with open(path, "rb") as f:
                    data = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
                typ, resp = imap.append(folder, None, None, data)
                if typ != "OK":
                    raise SystemExit(f"APPEND of {path} failed: {resp!r}")
                m = re.search(rb"APPENDUID \d+ (\d+)", resp[0] or b"")
                print(int(m.group(1)) if m else 0)
        elif cmd == "flags":
            (uid,) = rest
            typ, _ = imap.select(folder, readonly=True)
            if typ != "OK":
                raise SystemExit(f"SELECT {folder} failed")
            typ, resp = imap.uid("FETCH", uid, "(FLAGS)")
            line = next((r for r in resp if isinstance(r, bytes)), b"")
            m = re.search(rb"FLAGS \(([^)]*)\)", line)
            if not m:
                raise SystemExit(f"no FLAGS for UID {uid}: {resp!r}")
            print(m.group(1).decode())
        elif cmd == "count":
            typ, resp = imap.select(folder, readonly=True)
            if typ != "OK":
                raise SystemExit(f"SELECT {folder} failed")
            print(int(resp[0]))
        elif cmd == "subjects":
            typ, resp = imap.select(folder, readonly=True)
            if typ != "OK":
                raise SystemExit(f"SELECT {folder} failed")
            if int(resp[0]) > 0:
                typ, resp = imap.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
                for item in resp:
                    if isinstance(item, tuple):
                        line = item[1].decode("utf-8", "replace").strip()
                        raw = line.split(":", 1)[1].strip() if ":" in line else ""
                        # Encoded words (RFC 2047) as the text they stand for.
                        print(str(email.header.make_header(email.header.decode_header(raw))).replace("\r\n", "").replace("\n", ""))
        elif cmd == "folders":
            typ, resp = imap.list()
            for line in resp:
                m = re.search(rb'"[^"]*" "?([^"]*)"?$', line or b"")
                if m:
                    print(m.group(1).decode())
        else:
            raise SystemExit(f"unknown command {cmd}")
    finally:
        try:
            imap.logout()
        except Exception:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
