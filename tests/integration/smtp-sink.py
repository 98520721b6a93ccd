#!/usr/bin/python3
# smtp-sink.py DIR [--cert C --key K [--smtps]] [--user U --password P] [--reject ADDR=CODE]...
#              [--xoauth2 INTROSPECT_URL]
# Prints PORT=n (kernel-chosen). Per mail: DIR/N.eml (exact bytes), then DIR/N.json.
# --xoauth2: AUTH offers only XOAUTH2, as Microsoft 365 does; each bearer
# token is checked at the RFC 7662 introspection URL (the test token
# server) and must name the user it logs in; a refused one gets Gmail's
# JSON challenge, then 535.
import argparse, asyncio, base64, json, logging, os, signal, ssl, warnings
import urllib.parse, urllib.request
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
logging.getLogger("mail.log").setLevel(logging.ERROR)
warnings.filterwarnings("ignore", "Requiring AUTH")
p = argparse.ArgumentParser()
p.add_argument("dir")
for o in ("--cert", "--key", "--user", "--password"):
    p.add_argument(o)
p.add_argument("--smtps", action="store_true")
p.add_argument("--reject", action="append", default=[])
p.add_argument("--xoauth2")
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

def introspect(token):
    data = urllib.parse.urlencode({"token": token}).encode()
    with urllib.request.urlopen(a.xoauth2, data, timeout=10) as r:
        return json.load(r)

class XOAuth2Handler(Handler):
    async def auth_XOAUTH2(self, server, args):
        # libcurl sends no initial response unless CURLOPT_SASL_IR.
        if len(args) < 2:
            ir = await server.challenge_auth("")
            if not isinstance(ir, bytes):
                return AuthResult(success=False, handled=False)
        else:
            ir = base64.b64decode(args[1])
        try:
            fields = ir.decode().split("\x01")
            user = fields[0].removeprefix("user=")
            token = fields[1].removeprefix("auth=Bearer ")
        except Exception:
            return AuthResult(success=False, handled=False)
        info = await asyncio.get_running_loop().run_in_executor(
            None, introspect, token)
        if info.get("active") and info.get("username") == user:
            return AuthResult(success=True,
                              auth_data=LoginPassword(user.encode(), b""))
        await server.challenge_auth(
            '{"status":"401","schemes":"bearer","scope":"test"}')
        return AuthResult(success=False, handled=False)

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
handler = Handler()
if a.xoauth2:
    handler = XOAuth2Handler()
    auth = dict(auth_required=True, auth_require_tls=starttls is not None,
                auth_exclude_mechanism=["LOGIN", "PLAIN"])

async def main():
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(
        lambda: SMTP(handler, tls_context=starttls,
                     require_starttls=starttls is not None, **auth),
        "127.0.0.1", 0, ssl=tls if a.smtps else None)
    print(f"PORT={srv.sockets[0].getsockname()[1]}", flush=True)
    stop = loop.create_future()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set_result, None)
    await stop

asyncio.run(main())
