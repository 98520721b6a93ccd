#!/usr/bin/python3
# token-server.py [--expires-in N]: a test OAuth2 identity provider on
# 127.0.0.1 (a kernel-chosen port, printed as PORT=n).  Standard library
# only.  It plays Microsoft's and Google's token endpoints for maildesk's
# tests (issue 11) and Dovecot's introspection URL:
#
#   POST /token       grant_type=refresh_token: a new access token and a
#                     NEW refresh token each time (rotation); the one
#                     before stays valid until its successor is used, then
#                     answers 400 invalid_grant (as providers with a
#                     rotation grace do: a client that crashed before
#                     storing the new one is not locked out);
#                     grant_type=client_credentials (client "app", secret
#                     "app-secret"); the RFC 8628 device_code grant.
#   GET /authorize    RFC 6749 4.1 with PKCE (S256): the test adds
#                     user=NAME for the person who signs in; answers 302
#                     to redirect_uri?code=...&state=...  The code grant
#                     checks redirect_uri and code_verifier.
#   POST /device      RFC 8628 device authorization (interval 1 s): the
#                     first poll is answered authorization_pending, the
#                     second slow_down, then pending until /test/approve.
#   POST /introspect  RFC 7662: {"active": true, "username", "exp"} for a
#                     live access token, {"active": false} otherwise.
#   POST /test/...    seed (a refresh token for a user), approve,
#                     revoke-refresh, revoke-access, down, up,
#                     expires-in, stats (JSON counters).
# SIGTERM stops it.
import argparse, base64, hashlib, json, secrets, signal, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

p = argparse.ArgumentParser()
p.add_argument("--expires-in", type=int, default=3600)
a = p.parse_args()

lock = threading.Lock()
state = {
    "expires_in": a.expires_in,
    "down": False,
    "refresh": {},      # token -> {"user", "valid", "successor"}
    "access": {},       # token -> {"user", "exp", "active"}
    "devices": {},      # device_code -> {...}
    "codes": {},        # authorization code -> {...}
    "stats": {"token": 0, "refresh": 0, "refused": 0, "client": 0,
              "device_poll": 0, "too_fast": 0, "introspect": 0,
              "introspect_active": 0},
}


def new_tokens(user, with_refresh=True):
    at = "at-" + secrets.token_urlsafe(24)
    state["access"][at] = {"user": user, "active": True,
                           "exp": time.time() + state["expires_in"]}
    body = {"access_token": at, "token_type": "Bearer",
            "expires_in": state["expires_in"]}
    if with_refresh:
        rt = "rt-" + secrets.token_urlsafe(24)
        state["refresh"][rt] = {"user": user, "valid": True,
                                "successor": None}
        body["refresh_token"] = rt
    return body


def refresh(form):
    rt = form.get("refresh_token", "")
    st = state["refresh"].get(rt)
    if st is None or not st["valid"]:
        state["stats"]["refused"] += 1
        return 400, {"error": "invalid_grant",
                     "error_description": "AADSTS70000: refresh token "
                     "revoked or expired"}
    # Using a token retires the one it replaced.
    for old in state["refresh"].values():
        if old["successor"] == rt:
            old["valid"] = False
    body = new_tokens(st["user"])
    st["successor"] = body["refresh_token"]
    state["stats"]["refresh"] += 1
    return 200, body


def device_poll(form):
    d = state["devices"].get(form.get("device_code", ""))
    state["stats"]["device_poll"] += 1
    if d is None:
        return 400, {"error": "invalid_grant"}
    now = time.monotonic()
    if d["last"] is not None and now - d["last"] < d["interval"] - 0.05:
        state["stats"]["too_fast"] += 1
    d["last"] = now
    d["polls"] += 1
    if d["polls"] == 1:
        return 400, {"error": "authorization_pending"}
    if d["polls"] == 2:
        d["interval"] += 5
        return 400, {"error": "slow_down"}
    if not d["approved"]:
        return 400, {"error": "authorization_pending"}
    del state["devices"][form["device_code"]]
    return 200, new_tokens(d["user"])


def token(form):
    state["stats"]["token"] += 1
    if state["down"]:
        return 503, None
    grant = form.get("grant_type", "")
    if grant == "refresh_token":
        return refresh(form)
    if grant == "client_credentials":
        if (form.get("client_id"), form.get("client_secret")) != \
                ("app", "app-secret"):
            return 401, {"error": "invalid_client"}
        state["stats"]["client"] += 1
        return 200, new_tokens("desk", with_refresh=False)
    if grant == "urn:ietf:params:oauth:grant-type:device_code":
        return device_poll(form)
    if grant == "authorization_code":
        c = state["codes"].pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(
            verifier.encode()).digest()).decode().rstrip("=")
        if c is None or c["redirect_uri"] != form.get("redirect_uri") or \
                c["challenge"] != challenge:
            return 400, {"error": "invalid_grant"}
        return 200, new_tokens(c["user"])
    return 400, {"error": "unsupported_grant_type"}


def introspect(form):
    state["stats"]["introspect"] += 1
    t = state["access"].get(form.get("token", ""))
    if t is None or not t["active"] or t["exp"] < time.time():
        return 200, {"active": False}
    state["stats"]["introspect_active"] += 1
    return 200, {"active": True, "username": t["user"], "exp": int(t["exp"])}


def test_verb(verb, form):
    if verb == "seed":
        return 200, new_tokens(form.get("user", "desk"))
    if verb == "approve":
        for d in state["devices"].values():
            if d["user_code"] == form.get("user_code"):
                d["approved"] = True
                d["user"] = form.get("user", "desk")
                return 200, {}
        return 404, {}
    if verb == "revoke-refresh":
        for r in state["refresh"].values():
            r["valid"] = False
        return 200, {}
    if verb == "revoke-access":
        for t in state["access"].values():
            t["active"] = False
        return 200, {}
    if verb in ("down", "up"):
        state["down"] = verb == "down"
        return 200, {}
    if verb == "expires-in":
        state["expires_in"] = int(form["n"])
        return 200, {}
    if verb == "stats":
        return 200, state["stats"]
    return 404, {}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        url = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path != "/authorize" or q.get("response_type") != "code" or \
                q.get("code_challenge_method") != "S256":
            self.send_response(400)
            self.end_headers()
            return
        code = "code-" + secrets.token_urlsafe(16)
        with lock:
            state["codes"][code] = {"user": q.get("user", "desk"),
                                    "redirect_uri": q["redirect_uri"],
                                    "challenge": q["code_challenge"]}
        self.send_response(302)
        self.send_header("Location", q["redirect_uri"] + "?" + urlencode(
            {"code": code, "state": q.get("state", "")}))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in
                parse_qs(self.rfile.read(n).decode()).items()}
        with lock:
            if self.path == "/token":
                code, body = token(form)
            elif self.path == "/device":
                dc = secrets.token_urlsafe(16)
                uc = "%04d-%04d" % (secrets.randbelow(10000),
                                    secrets.randbelow(10000))
                state["devices"][dc] = {"user_code": uc, "interval": 1,
                                        "polls": 0, "last": None,
                                        "approved": False, "user": None}
                code, body = 200, {
                    "device_code": dc, "user_code": uc,
                    "verification_uri": "http://127.0.0.1/device",
                    "expires_in": 600, "interval": 1,
                    "message": "To sign in, enter the code " + uc}
            elif self.path == "/introspect":
                code, body = introspect(form)
            elif self.path.startswith("/test/"):
                code, body = test_verb(self.path[6:], form)
            else:
                code, body = 404, {}
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json"
                         if body is not None else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
signal.signal(signal.SIGTERM, lambda *_: threading.Thread(
    target=srv.shutdown).start())
print(f"PORT={srv.server_address[1]}", flush=True)
srv.serve_forever()
