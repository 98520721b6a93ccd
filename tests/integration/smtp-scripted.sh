#!/bin/sh
# smtp-scripted.sh DIR [--mail REPLY] [--end REPLY] [--drop-after-mail]
#
# A minimal SMTP server on 127.0.0.1 for the failure paths the aiosmtpd
# sink (smtp-sink.py) cannot produce: a chosen reply to MAIL FROM and to
# the final dot of DATA, and a server that closes the connection after
# each mail (as one that drops idle clients).  Prints PORT=n (kernel-
# chosen); per accepted mail DIR/N.eml (dot-unstuffed); DIR/connections
# holds the number of connections accepted so far; with --drop-after-mail,
# DIR/closed-N appears once the Nth connection is closed.  SIGTERM stops it.
exec /usr/bin/python3 -c '
import argparse, os, socketserver
p = argparse.ArgumentParser()
p.add_argument("dir")
p.add_argument("--mail", default="250 2.1.0 OK")
p.add_argument("--end", default="250 2.0.0 OK")
p.add_argument("--drop-after-mail", action="store_true")
a = p.parse_args()
state = {"conns": 0, "mails": 0}

def put(name, data):
    with open(f"{a.dir}/{name}.tmp", "wb") as f:
        f.write(data)
    os.rename(f"{a.dir}/{name}.tmp", f"{a.dir}/{name}")

class Handler(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write(text.encode() + b"\r\n")
        self.wfile.flush()

    def data(self):
        lines = []
        while True:
            line = self.rfile.readline()
            if not line or line == b".\r\n":
                return line, b"".join(lines)
            lines.append(line[1:] if line.startswith(b".") else line)

    def handle(self):
        state["conns"] += 1
        n = state["conns"]
        put("connections", f"{n}\n".encode())
        self.reply("220 scripted ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.reply("250-scripted")
                self.reply("250 8BITMIME")
            elif verb in (b"HELO", b"RCPT", b"RSET", b"NOOP"):
                self.reply("250 OK")
            elif verb == b"MAIL":
                self.reply(a.mail)
            elif verb == b"QUIT":
                self.reply("221 bye")
                return
            elif verb == b"DATA":
                self.reply("354 go ahead")
                end, body = self.data()
                if not end:
                    return
                if a.end.startswith("2"):
                    state["mails"] += 1
                    m = state["mails"]
                    put(f"{m}.eml", body)
                self.reply(a.end)
                if a.drop_after_mail:
                    self.connection.shutdown(2)
                    self.connection.close()
                    put(f"closed-{n}", b"")
                    return
            else:
                self.reply("502 5.5.2 unknown command")

class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True

srv = Server(("127.0.0.1", 0), Handler)
print(f"PORT={srv.server_address[1]}", flush=True)
srv.serve_forever()
' "$@"
