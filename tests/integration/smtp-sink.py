#!/usr/bin/python3
# smtp-sink.py DIR [--cert C --key K [--smtps]] [--user U --password P] [--reject ADDR=CODE]...
# Prints PORT=n (kernel-chosen). Per mail: DIR/N.eml (exact bytes), then DIR/N.json.
import argparse, asyncio, json, logging, os, signal, ssl, warnings
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
logging.getLogger("mail.log").setLevel(logging.ERROR)
warnings.filterwarnings("ignore", "Requiring AUTH")
p = argparse.ArgumentParser()
p.add_argument("dir")
for o in ("--cert", "--key", "--user", "--password"):
    p.add_argument(o)
p.add_argument("--smtps", action="store_true")
p.add_argument("--reject", action="append", default=[])
a = p.parse_args()
reject = dict(r.split("=", 1) for r in a.reject)
count = 0

class Handler:
    async def handle_RCPT(self, server, session, env, addr, opts):
        if addr in reject:
            return f"{reject[addr]} {reject[addr][0]}.0.0 test reject"
        env.rcpt_tos.append(addr)
        return "250 OK"

    async def handle_DATA(self, server, session, env):
        global count
        count += 1
        base = f"{a.dir}/{count}"
        with open(base + ".eml", "wb") as f:
            f.write(env.original_content)
        with open(base + ".tmp", "w") as f:
            json.dump({"mail_from": env.mail_from, "rcpt_tos": env.rcpt_tos,
                       "mail_options": env.mail_options,
                       "tls": a.smtps or session.ssl is not None,
                       "auth": session.auth_data.login.decode()
                       if session.authenticated else None}, f)
        os.rename(base + ".tmp", base + ".json")  # .json last: poll for it
        return "250 OK"

def check(server, session, env, mechanism, data):
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        a.user.encode(), a.password.encode())
    return AuthResult(success=ok, handled=False, auth_data=data)

tls = None
if a.cert:
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(a.cert, a.key)
starttls = None if a.smtps else tls
auth = dict(authenticator=check, auth_required=True,
            auth_require_tls=starttls is not None) if a.user else {}

async def main():
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(
        lambda: SMTP(Handler(), tls_context=starttls,
                     require_starttls=starttls is not None, **auth),
        "127.0.0.1", 0, ssl=tls if a.smtps else None)
    print(f"PORT={srv.sockets[0].getsockname()[1]}", flush=True)
    stop = loop.create_future()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set_result, None)
    await stop

asyncio.run(main())
